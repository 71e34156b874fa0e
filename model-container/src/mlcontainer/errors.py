"""Errors that carry a message a person can act on."""


class UserError(Exception):
    """Something in the inputs (data, hyperparameters, model files) is wrong.

    The message says what was wrong and how to fix it; it ends up in SageMaker's
    FailureReason, so keep it to one or two sentences.
    """
