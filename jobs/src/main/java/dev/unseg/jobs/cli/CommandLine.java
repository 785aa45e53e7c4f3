package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import dev.unseg.jobs.config.ConfigException;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flags of a subcommand: each flag is a shorthand for one config key, {@code --conf key=value}
 * sets any key, {@code --config FILE} adds a HOCON file (the conf/ profiles).
 */
final class CommandLine {
  /** A flag: its config key, whether it takes a value, and its help line. */
  record Flag(String name, String key, boolean takesValue, String help) {}

  private final Map<String, String> flagValues = new LinkedHashMap<>();
  private final List<String[]> confs = new ArrayList<>();
  private final List<String> positional = new ArrayList<>();
  private String configFile;
  private boolean help;

  static CommandLine parse(String[] args, int from, List<Flag> flags) {
    CommandLine cl = new CommandLine();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        cl.help = true;
        continue;
      }
      String value = null;
      if (a.startsWith("--") && a.contains("=")) {
        value = a.substring(a.indexOf('=') + 1);
        a = a.substring(0, a.indexOf('='));
      }
      if (a.equals("--conf") || a.equals("--config")) {
        if (value == null) {
          value = next(args, ++i, a);
        }
        if (a.equals("--config")) {
          cl.configFile = value;
        } else {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            throw new ConfigException("--conf needs key=value, got '" + value + "'");
          }
          cl.confs.add(new String[] {value.substring(0, eq).trim(), value.substring(eq + 1)});
        }
        continue;
      }
      if (!a.startsWith("--")) {
        cl.positional.add(a);
        continue;
      }
      Flag flag = find(flags, a);
      if (flag.takesValue()) {
        cl.flagValues.put(flag.key(), value != null ? value : next(args, ++i, a));
      } else {
        cl.flagValues.put(flag.key(), value != null ? value : "true");
      }
    }
    return cl;
  }

  private static Flag find(List<Flag> flags, String name) {
    for (Flag f : flags) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new ConfigException("unknown option " + name + " (see --help)");
  }

  private static String next(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new ConfigException(flag + " needs a value (see --help)");
    }
    return args[i];
  }

  boolean help() {
    return help;
  }

  List<String> positional() {
    return positional;
  }

  /** --conf, then flags, then -D system properties, then --config FILE, then reference.conf. */
  Config config() {
    Config c = ConfigFactory.empty();
    for (String[] kv : confs) {
      c = c.withValue(path(kv[0]), ConfigValueFactory.fromAnyRef(kv[1]));
    }
    for (Map.Entry<String, String> e : flagValues.entrySet()) {
      if (!c.hasPath(e.getKey())) {
        c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
      }
    }
    c = c.withFallback(ConfigFactory.systemProperties());
    if (configFile != null) {
      File f = new File(configFile);
      if (!f.isFile()) {
        throw new ConfigException("--config " + configFile + (f.isDirectory() ? " is a folder" : " does not exist")
            + ": give a HOCON settings file (examples in conf/)");
      }
      try {
        c = c.withFallback(ConfigFactory.parseFile(f));
      } catch (com.typesafe.config.ConfigException e) {
        throw new ConfigException("--config " + configFile + lineOf(e) + ": " + problemOf(e)
            + ". Fix the file's HOCON syntax (examples in conf/; JSON is valid HOCON).");
      }
    }
    Config resolved;
    try {
      resolved = c.withFallback(ConfigFactory.defaultReference()).resolve();
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("settings" + (e.origin() == null ? "" : " (" + e.origin().description() + ")") + ": "
          + problemOf(e) + ". Fix the setting, or the file that gives it.");
    }
    refuseUnknownKeys(resolved);
    return resolved;
  }

  /**
   * Every {@code unseg.*} key must be one reference.conf defines: a typo such as {@code unseg.noise.epss=4}
   * would otherwise run at the default and release other protection than the user meant.
   */
  static void refuseUnknownKeys(Config resolved) {
    java.util.Set<String> known = new java.util.TreeSet<>();
    ConfigFactory.defaultReference().getConfig("unseg").entrySet().forEach(e -> known.add("unseg." + e.getKey()));
    if (!resolved.hasPath("unseg")) {
      return;
    }
    for (Map.Entry<String, com.typesafe.config.ConfigValue> e : resolved.getConfig("unseg").entrySet()) {
      String key = "unseg." + e.getKey();
      if (!known.contains(key)) {
        String origin = e.getValue().origin() == null ? "" : e.getValue().origin().description();
        throw new ConfigException(key + " is not a setting" + (origin.isEmpty() ? "" : " (from " + origin + ")")
            + closest(key, known) + ". Every setting is listed in reference.conf (see README, Configuration).");
      }
    }
  }

  private static String closest(String key, java.util.Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = editDistance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(3, key.length() / 4) ? ": did you mean " + best + "?" : "";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String lineOf(com.typesafe.config.ConfigException e) {
    return e.origin() != null && e.origin().lineNumber() > 0 ? ", line " + e.origin().lineNumber() : "";
  }

  /** The message without the origin Typesafe Config puts before it ("bad.conf: 2: "). */
  private static String problemOf(com.typesafe.config.ConfigException e) {
    String m = e.getMessage();
    String prefix = e.origin() == null ? null : e.origin().description() + ": ";
    return prefix != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /**
   * A Spark/Hadoop key is one path element under "spark": Hadoop has keys that are prefixes of
   * others (fs.s3a.endpoint and fs.s3a.endpoint.region), which HOCON paths cannot both hold.
   */
  static String path(String key) {
    return key.startsWith("spark.") && key.length() > 6
        ? ConfigUtil.joinPath("spark", key.substring(6)) : key;
  }

  /** The Spark key of an entry under "spark" (quoted single element, or a nested HOCON path). */
  static String sparkKey(String entryKey) {
    return "spark." + String.join(".", ConfigUtil.splitPath(entryKey));
  }

  static String usage(String synopsis, List<Flag> flags) {
    StringBuilder sb = new StringBuilder(synopsis).append("\n\nOptions:\n");
    for (Flag f : flags) {
      sb.append(String.format("  %-22s %s%n", f.name() + (f.takesValue() ? " V" : ""), f.help()
          + (f.key() == null ? "" : " [" + f.key() + "]")));
    }
    sb.append(String.format("  %-22s %s%n", "--config FILE", "add a HOCON settings file (see conf/)"));
    sb.append(String.format("  %-22s %s%n", "--conf KEY=VALUE", "set any setting (unseg.* keys, or spark.* for Spark/Hadoop)"));
    sb.append(String.format("  %-22s %s%n", "--help", "this text"));
    return sb.toString();
  }
}
