package io.mlops.contract.actions;

/**
 * One output variable of a pipeline action. The enums implementing it name the variables exactly as
 * CodePipeline shows them (so their constants are UpperCamelCase): the handler puts {@link #name()}, infra
 * reads {@link #ref(String)}.
 */
public interface OutputVariable {
    String name();

    /** {@code #{<namespace>.<name>}}: how a later action's configuration refers to the variable. */
    default String ref(String namespace) {
        return "#{" + namespace + "." + name() + "}";
    }
}
