package io.mlops.systemtests.validate;

import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.cli.CommandLine;
import io.mlops.systemtests.cli.UsageException;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code validate-resources --stack NAME [--region R]}: checks that the deployed main stack's
 * buckets, ECR image, Glue job, state machine, model package group and pipeline exist and are
 * reachable with your credentials, and whether the DEV/PRD endpoints are deployed yet. Prints a
 * table; exit status 0 when every required resource is OK, 1 when one is missing, denied or in
 * error, 2 on a usage error.
 */
public final class ValidateResourcesCommand {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private ValidateResourcesCommand() {
    }

    public static void main(String[] args) {
        CommandLine.quietSdkLogging();
        System.exit(run(args, System.out, System.err));
    }

    static CommandLine commandLine() {
        return new CommandLine("validate-resources", "Check that a deployed stack's resources exist and are reachable "
                + "with your AWS credentials; print what is missing.")
                .option("stack", "NAME", "the main stack's name (required)")
                .option("region", "REGION", "its region (default: AWS_REGION / profile)")
                .option("endpoint-url", "URL", "send every AWS call to this URL (tests, stubs)");
    }

    /** Runs the command in-process; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine();
        String stack;
        AwsClients clients;
        try {
            if (!cli.parseOrHelp(args, out)) {
                return OK;
            }
            stack = cli.required("stack");
            clients = AwsClients.forCommandLine(cli.string("region"), cli.uri("endpoint-url"));
        } catch (UsageException | IllegalArgumentException e) {
            err.println("validate-resources: " + e.getMessage());
            return USAGE;
        }
        out.println("validate-resources: stack " + stack + " in " + clients.region().id());
        ResourceValidator.Result result = new ResourceValidator(clients).validate(stack);
        out.print(table(result.checks()));
        for (String key : ResourceValidator.INFO_OUTPUTS) {
            String value = result.outputs().get(key);
            if (value != null) {
                out.println(key + ": " + value);
            }
        }
        List<ResourceCheck> failed = result.checks().stream().filter(ResourceCheck::fails).toList();
        if (failed.isEmpty()) {
            out.println("all required resources are present and reachable");
            return OK;
        }
        err.println("validate-resources: " + failed.size() + " problem(s): " + String.join(", ",
                failed.stream().map(c -> c.resource() + " " + c.status()).toList()));
        return FAILED;
    }

    /** The checks as an aligned text table. */
    public static String table(List<ResourceCheck> checks) {
        String[] head = {"RESOURCE", "NAME", "STATUS", "DETAIL"};
        int[] width = {head[0].length(), head[1].length(), head[2].length()};
        for (ResourceCheck c : checks) {
            width[0] = Math.max(width[0], c.resource().length());
            width[1] = Math.max(width[1], c.name().length());
            width[2] = Math.max(width[2], c.status().name().length());
        }
        StringBuilder out = new StringBuilder();
        out.append(row(width, head));
        for (ResourceCheck c : checks) {
            out.append(row(width, c.resource(), c.name(), c.status().name(), c.detail()));
        }
        return out.toString();
    }

    private static String row(int[] width, String... cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            line.append(cells[i]);
            if (i < width.length) {
                line.append(" ".repeat(width[i] - cells[i].length() + 2));
            }
        }
        return line.toString().stripTrailing() + "\n";
    }
}
