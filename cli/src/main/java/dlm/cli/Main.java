package dlm.cli;

import dlm.passes.PassOptionException;
import dlm.runtime.DlmException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dlm command. User mistakes end with one error line on stderr and exit code 2. */
@Command(name = "dlm", mixinStandardHelpOptions = true, version = "dlm 0.1.0",
        description = "Compiles neural networks written in .dlm and trains and runs them on the JVM.",
        subcommands = {CheckCommand.class, IrCommand.class, GraphCommand.class, TrainCommand.class, RunCommand.class,
                GradCommand.class, DemoCommand.class, CompileCommand.class, ExplainCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int USER_ERROR = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof DlmException || ex instanceof PassOptionException) {
                System.out.flush();
                System.err.println("dlm: " + ex.getMessage());
                return USER_ERROR;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("dlm: " + ex.getMessage());
            // picocli's qualified name: "dlm" for the top level, "dlm train" for a subcommand
            System.err.println("(see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return USER_ERROR;
        });
        return cl.execute(args);
    }
}
