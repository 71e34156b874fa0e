// Runs the synthesized system-test state machine locally with aws-local-stepfunctions (Node >= 22).
// Usage: node run-local.mjs <definition.json> <scenario> <input.json>
// The endpoint-test Lambda task is replaced by a local handler per scenario:
//   pass              -> returns a PASS verdict
//   fail              -> returns a FAIL verdict with two failed checks
//   no-verdict        -> returns an object without a verdict
//   throttled-then-pass -> throws Lambda.TooManyRequestsException twice, then returns PASS (retry path)
//   always-throttled  -> always throws Lambda.TooManyRequestsException (retries exhausted)
//   infra-error       -> throws a non-retryable handler error (endpoint missing)
// Prints one JSON line: {status, output|error, cause, taskCalls, inputs}.
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';

const [definitionPath, scenario, inputPath] = process.argv.slice(2);
const definition = JSON.parse(readFileSync(definitionPath, 'utf8'));
const input = JSON.parse(readFileSync(inputPath, 'utf8'));
const taskState = process.env.TASK_STATE ?? 'RunEndpointTest';

let calls = 0;
const seen = [];
function namedError(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}
const handlers = {
  pass: async (event) => ({ verdict: 'PASS', failures: [], reportUri: event.reportUri + 'report.json', rows: 100,
    rocAuc: 0.81, p50Millis: 12.3, p99Millis: 40.1, malformedRequests: { sent: 5, rejectedWith4xx: 5 } }),
  fail: async (event) => ({ verdict: 'FAIL', failures: ['ROC AUC 0.61 is below the minimum 0.75',
    'p99 latency 1500 ms is above the maximum 1000 ms'], reportUri: event.reportUri + 'report.json', rows: 100,
    rocAuc: 0.61, p50Millis: 900, p99Millis: 1500, malformedRequests: { sent: 5, rejectedWith4xx: 5 } }),
  'no-verdict': async () => ({ rows: 0 }),
  'throttled-then-pass': async (event) => {
    if (calls <= 2) throw namedError('Lambda.TooManyRequestsException', 'Rate exceeded');
    return handlers.pass(event);
  },
  'always-throttled': async () => { throw namedError('Lambda.TooManyRequestsException', 'Rate exceeded'); },
  'infra-error': async () => { throw namedError('IllegalStateException', 'endpoint mlops-dev does not exist'); },
};
const handler = handlers[scenario];
if (!handler) {
  console.error(`unknown scenario ${scenario}; known: ${Object.keys(handlers).join(', ')}`);
  process.exit(64);
}

const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
const execution = machine.run(input, {
  overrides: {
    taskResourceLocalHandlers: { [taskState]: async (event) => { calls += 1; seen.push(event); return handler(event); } },
    retryIntervalOverrides: { [taskState]: 0 },
  },
});
try {
  const output = await execution.result;
  console.log(JSON.stringify({ status: 'SUCCEEDED', output, taskCalls: calls, inputs: seen }));
} catch (e) {
  console.log(JSON.stringify({ status: 'FAILED', error: e.name, errorName: e.error ?? e.name, cause: e.cause ?? e.message,
    message: e.message, taskCalls: calls, inputs: seen }));
}
