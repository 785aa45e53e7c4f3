package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.unseg.pipeline.error.UserError;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * One subcommand of {@code unseg}: its flags, each a shorthand for one config key (so a flag, a
 * {@code --conf} and a {@code --config} file set the same setting, with the default from reference.conf
 * shown in the help), an optional positional argument, and what it runs.
 *
 * @param positional the positional argument's label (e.g. OUTPUT), or null when it takes none
 */
record Command(String name, String summary, String description, List<Flag> flags, String positional, Handler handler) {

  /** A flag: its name, its config key, its value's label (null for a switch) and its help line. */
  record Flag(String name, String key, String label, String help) {
    boolean takesValue() {
      return label != null;
    }
  }

  /** What a command runs, given its effective config and its positional argument (or null). */
  interface Handler {
    int run(Config config, String positional, PrintStream out, PrintStream err) throws Exception;
  }

  /** The picocli model of this command: its help is built from it, and its arguments parsed with it. */
  CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name(name);
    spec.usageMessage().description(description).headerHeading("%n").sortOptions(false).width(110)
        .optionListHeading("%nOptions:%n").parameterListHeading("%nArguments:%n");
    Config reference = ConfigFactory.defaultReference();
    for (Flag f : flags) {
      OptionSpec.Builder b = OptionSpec.builder(f.name())
          .description(f.help() + defaultOf(reference, f.key()) + " [" + f.key() + "]");
      if (f.takesValue()) {
        b.paramLabel(f.label()).arity("1").type(String.class);
      } else {
        b.arity("0").type(boolean.class);
      }
      spec.addOption(b.build());
    }
    spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").arity("1").type(String.class)
        .description("add a HOCON settings file (examples in conf/)").build());
    spec.addOption(OptionSpec.builder("--conf").paramLabel("KEY=VALUE").arity("1").type(String[].class)
        .description("set any setting: unseg.* keys (all in docs/configuration.md), or spark.* for Spark and Hadoop").build());
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("this text").build());
    if (positional != null) {
      spec.addPositional(PositionalParamSpec.builder().paramLabel(positional).arity("0..1").type(String.class)
          .description("the output of a protect run (path or URI: s3a://, gs://, hdfs://, file://)").build());
    }
    return spec;
  }

  private static String defaultOf(Config reference, String key) {
    if (!reference.hasPath(key)) {
      return "";
    }
    ConfigValue v = reference.getValue(key);
    String s = String.valueOf(v.unwrapped());
    return s.isEmpty() || v.unwrapped() instanceof Boolean ? "" : " (default " + s + ")";
  }

  /** Runs the command on what picocli parsed. */
  int run(ParseResult parsed, PrintStream out, PrintStream err) throws Exception {
    String arg = positional == null ? null : parsed.matchedPositionalValue(0, null);
    if (positional != null && arg == null) {
      throw new UserError("unseg " + name + ": give " + positional + " (see unseg " + name + " --help)");
    }
    return handler.run(config(parsed), arg, out, err);
  }

  /** The effective config of what picocli parsed: the flags become config keys under --conf, over --config. */
  Config config(ParseResult parsed) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Flag f : flags) {
      if (parsed.hasMatchedOption(f.name())) {
        Object v = parsed.matchedOptionValue(f.name(), null);
        values.put(f.key(), String.valueOf(v));
      }
    }
    List<String[]> confs = new ArrayList<>();
    for (String c : parsed.matchedOptionValue("--conf", new String[0])) {
      confs.add(ConfigLayer.conf(c));
    }
    String configFile = parsed.matchedOptionValue("--config", null);
    return new ConfigLayer(values, confs, configFile).config();
  }
}
