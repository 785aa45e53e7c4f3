package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import dev.unseg.pipeline.error.UserError;
import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * The one config layer of every command: its flags (each a shorthand for one config key), then
 * {@code --conf key=value}, {@code --config FILE} (the conf/ profiles), system properties and
 * reference.conf, which alone holds the defaults. Every {@code unseg.*} key must be one it defines.
 */
final class ConfigLayer {
  private final Map<String, String> flagValues;
  private final List<String[]> confs;
  private final String configFile;

  /**
   * @param flagValues config key to value, from the command's flags
   * @param confs {@code --conf} settings in the order given, as key and value
   * @param configFile the {@code --config} file, or null
   */
  ConfigLayer(Map<String, String> flagValues, List<String[]> confs, String configFile) {
    this.flagValues = flagValues;
    this.confs = confs;
    this.configFile = configFile;
  }

  /** Parses one {@code --conf key=value}. */
  static String[] conf(String value) {
    int eq = value.indexOf('=');
    if (eq <= 0) {
      throw new UserError("--conf needs key=value, got '" + value + "'");
    }
    return new String[] {value.substring(0, eq).trim(), value.substring(eq + 1)};
  }

  /** --conf, then flags, then -D system properties, then --config FILE, then reference.conf. */
  Config config() {
    Config c = ConfigFactory.empty();
    for (String[] kv : confs) {
      c = c.withValue(path(kv[0]), ConfigValueFactory.fromAnyRef(kv[1], "--conf"));
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
        throw new UserError("--config " + configFile + (f.isDirectory() ? " is a folder" : " does not exist")
            + ": give a HOCON settings file (examples in conf/)");
      }
      try {
        c = c.withFallback(ConfigFactory.parseFile(f));
      } catch (com.typesafe.config.ConfigException e) {
        throw new UserError("--config " + configFile + lineOf(e) + ": " + problemOf(e)
            + ". Fix the file's HOCON syntax (examples in conf/; JSON is valid HOCON).");
      }
    }
    Config resolved;
    try {
      resolved = c.withFallback(ConfigFactory.defaultReference()).resolve();
    } catch (com.typesafe.config.ConfigException e) {
      throw new UserError("settings" + (e.origin() == null ? "" : " (" + e.origin().description() + ")") + ": "
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
        throw new UserError(key + " is not a setting" + (origin.isEmpty() ? "" : " (from " + origin + ")")
            + closest(key, known) + " Every setting is listed in docs/configuration.md.");
      }
    }
  }

  private static String closest(String key, java.util.Set<String> known) {
    String near = nearest(key, known);
    if (editDistance(key, near) <= 2) {
      return ": did you mean " + near + "?"; // a typo
    }
    // The same name under other sections (unseg.generator.eps: unseg.noise.eps or unseg.train-generator.eps)
    // before a farther spelling (which offered unseg.generator.key)
    String name = key.substring(key.lastIndexOf('.'));
    java.util.Set<String> sameName = new java.util.TreeSet<>();
    known.stream().filter(k -> k.endsWith(name)).forEach(sameName::add);
    if (!sameName.isEmpty()) {
      return ": did you mean " + String.join(" or ", sameName) + "?";
    }
    return editDistance(key, near) <= Math.max(3, key.length() / 4) ? ": did you mean " + near + "?" : ".";
  }

  private static String nearest(String key, java.util.Set<String> candidates) {
    return candidates.stream().min(java.util.Comparator.comparingInt((String k) -> editDistance(key, k))).orElseThrow();
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

}
