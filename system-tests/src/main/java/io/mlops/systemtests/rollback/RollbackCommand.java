package io.mlops.systemtests.rollback;

import io.mlops.lambdas.core.AwsErrors;
import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.cli.CommandLine;
import io.mlops.systemtests.cli.UsageException;
import io.mlops.systemtests.rollback.Rollback.Plan;
import io.mlops.systemtests.rollback.Rollback.RollbackException;
import io.mlops.systemtests.rollback.Rollback.Version;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * {@code rollback [--project mlops] [--model bank-marketing] [--to VERSION|ARN] --reason TEXT [--dry-run]}
 * and {@code rollback --list}: redeploys an earlier Approved version to PRD through the PRD endpoint stack
 * ({@code <project>-endpoint-prd}) and records it in the registry ({@code <project>-<model>}), see
 * {@link Rollback}. Exit status 0 done (or plan/list printed), 1 the rollback cannot be done or failed, 2 usage.
 */
public final class RollbackCommand {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    private static final String NAME = "rollback";

    private RollbackCommand() {
    }

    public static void main(String[] args) {
        CommandLine.quietSdkLogging();
        System.exit(run(args, System.out, System.err));
    }

    static CommandLine commandLine() {
        return new CommandLine(NAME, "Roll the PRD endpoint back to an earlier Approved model version (the previous one "
                + "or --to) through the PRD endpoint stack, then mark the bad version Rejected with --reason.")
                .option("project", "NAME", "the pipeline's project name (default mlops): stack <project>-endpoint-prd")
                .option("model", "NAME", "the model name (default bank-marketing): group <project>-<model>")
                .option("to", "VERSION|ARN", "the Approved version to deploy (default: the newest Approved version "
                        + "older than the one in Production)")
                .option("reason", "TEXT", "why the version in Production is bad (required for a rollback; becomes its "
                        + "ApprovalDescription)")
                .flag("dry-run", "print the plan and change nothing")
                .flag("list", "list the Approved versions with stage, creation time and which one PRD serves")
                .option("id", "ID", "the new PipelineExecutionId (default rollback-<yyyyMMddHHmmss> UTC)")
                .option("timeout", "DURATION", "how long to wait for the stack update (default 90m)")
                .option("poll", "DURATION", "DescribeStacks interval while waiting (default 15s)")
                .option("region", "REGION", "the region (default: AWS_REGION / profile)")
                .option("endpoint-url", "URL", "send every AWS call to this URL (tests, stubs)");
    }

    /** Runs the command in-process; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine();
        String project;
        String group;
        Optional<String> to;
        Optional<String> reason;
        String id;
        Duration timeout;
        Duration poll;
        AwsClients clients;
        try {
            if (!cli.parseOrHelp(args, out)) {
                return OK;
            }
            project = cli.string("project", "mlops");
            group = project + "-" + cli.string("model", "bank-marketing");
            to = cli.string("to");
            reason = cli.string("reason").map(String::strip);
            id = cli.string("id", Rollback.newExecutionId(Instant.now()));
            timeout = cli.duration("timeout", Duration.ofMinutes(90));
            poll = cli.duration("poll", Duration.ofSeconds(15));
            if (cli.has("list")) {
                for (String other : List.of("to", "reason", "dry-run", "id")) {
                    if (cli.has(other)) {
                        throw new UsageException("--list takes no --" + other + "; run --list alone, then roll back "
                                + "with --to and --reason");
                    }
                }
            } else if (!cli.has("dry-run") && reason.filter(r -> !r.isEmpty()).isEmpty()) {
                throw new UsageException("--reason TEXT is required for a rollback (it becomes the bad version's "
                        + "ApprovalDescription), e.g. --reason \"error rate doubled after v12 (INC-1234)\"; --dry-run "
                        + "shows the plan without one");
            }
            if (reason.isPresent() && reason.get().length() > Rollback.MAX_APPROVAL_DESCRIPTION) {
                throw new UsageException("--reason has " + reason.get().length() + " characters; the registry keeps "
                        + Rollback.MAX_APPROVAL_DESCRIPTION + " (ApprovalDescription): shorten it");
            }
            if (timeout.isZero() || poll.isZero()) {
                throw new UsageException("--timeout and --poll must be longer than 0");
            }
            clients = AwsClients.forCommandLine(cli.string("region"), cli.uri("endpoint-url"));
        } catch (UsageException | IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage());
            return USAGE;
        }
        String stack = project + "-endpoint-prd";
        Rollback rollback = new Rollback(clients.cloudFormation(), clients.sageMaker(), poll, timeout);
        try {
            if (cli.has("list")) {
                List<Version> versions = rollback.list(stack, group);
                out.println(NAME + ": Approved versions of " + group + " (newest first; stack " + stack + ", "
                        + clients.region().id() + ")");
                out.print(table(versions));
                return OK;
            }
            Plan plan = rollback.plan(stack, group, to, id);
            out.println(NAME + ": plan (" + clients.region().id() + ")");
            plan.describe().forEach(line -> out.println("  " + line));
            if (cli.has("dry-run")) {
                out.println(NAME + ": dry run, nothing changed");
                return OK;
            }
            out.println(NAME + ": updating stack " + stack + " and waiting up to " + timeout.toMinutes()
                    + " min for UPDATE_COMPLETE (blue/green canary and bake included)");
            out.println(NAME + ": done: " + rollback.execute(plan, reason.orElseThrow()));
            return OK;
        } catch (RollbackException e) {
            err.println(NAME + ": " + e.getMessage());
            return FAILED;
        } catch (AwsServiceException e) {
            err.println(NAME + ": AWS answered " + AwsErrors.codeAndMessage(e) + " (HTTP " + e.statusCode() + "); the "
                    + "rollback stopped at that call. Check --project/--model/--region and your permissions, and run --list "
                    + "to see what PRD serves and what the registry says.");
            return FAILED;
        } catch (SdkClientException e) {
            err.println(NAME + ": " + AwsClients.explain(e));
            return FAILED;
        }
    }

    /** The versions as an aligned table: VERSION, STAGE, CREATED, PRD (serving), ARN. */
    static String table(List<Version> versions) {
        if (versions.isEmpty()) {
            return "(no Approved version)\n";
        }
        StringBuilder out = new StringBuilder(String.format("%-8s %-12s %-21s %-8s %s%n", "VERSION", "STAGE", "CREATED", "PRD",
                "ARN"));
        for (Version v : versions) {
            out.append(String.format("%-8s %-12s %-21s %-8s %s%n", v.version(), v.stage(),
                    v.created() == null ? "-" : v.created().toString(), v.serving() ? "serving" : "-", v.arn()));
        }
        return out.toString();
    }
}
