package dev.unseg.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException.Missing;
import com.typesafe.config.ConfigException.WrongType;
import dev.unseg.pipeline.error.UserError;
import java.time.Duration;

/**
 * Typed reads of the {@code unseg} block that name the key, what it accepts and its flag on failure:
 * every command's settings are read through these, once, at start.
 */
public final class SettingReads {
  private SettingReads() {}

  /**
   * The Spark and Hadoop settings of a config (its "spark" block) by their Spark keys. Each is one
   * quoted path element under "spark" (Hadoop has keys that are prefixes of others, which HOCON paths
   * cannot both hold), or a nested path in a --config file.
   */
  public static java.util.Map<String, String> sparkSettings(Config root) {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    if (root.hasPath("spark")) {
      root.getConfig("spark").entrySet().forEach(e -> m.put(
          "spark." + String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey())),
          String.valueOf(e.getValue().unwrapped())));
    }
    return m;
  }

  /**
   * The Hadoop settings of a config (its {@code spark.hadoop.*} keys, as protect passes them to Spark), for
   * the commands that reach storage without Spark.
   */
  public static org.apache.hadoop.conf.Configuration hadoopConf(Config root) {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    sparkSettings(root).forEach((key, value) -> {
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), value);
      }
    });
    return conf;
  }

  public static String string(Config c, String key) {
    try {
      return c.getString(key).trim();
    } catch (Missing | WrongType e) {
      throw new UserError("unseg." + key + ": " + e.getMessage());
    }
  }

  public static String required(Config c, String key, String flag, String what) {
    String v = string(c, key);
    if (v.isEmpty()) {
      throw new UserError("unseg." + key + " is not set: give " + what
          + (flag == null ? "" : " with " + flag) + " or --conf unseg." + key + "=...");
    }
    return v;
  }

  public static boolean bool(Config c, String key) {
    try {
      return c.getBoolean(key);
    } catch (Missing | WrongType e) {
      throw bad(key, null, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "true or false");
    }
  }

  public static int intIn(Config c, String key, String flag, int min, int max) {
    long v = longIn(c, key, flag, min, max);
    return (int) v;
  }

  public static long longIn(Config c, String key, String flag, long min, long max) {
    long v;
    try {
      v = c.getLong(key);
    } catch (Missing | WrongType e) {
      throw bad(key, flag, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "a whole number from " + min + " to " + max);
    }
    if (v < min || v > max) {
      throw bad(key, flag, v, "a whole number from " + min + " to " + max);
    }
    return v;
  }

  public static double doubleIn(Config c, String key, String flag, double min, double max) {
    double v;
    try {
      v = c.getDouble(key);
    } catch (Missing | WrongType e) {
      throw bad(key, flag, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "a number from " + min + " to " + max);
    }
    if (!(v >= min && v <= max)) {
      throw bad(key, flag, v, "a number from " + min + " to " + max);
    }
    return v;
  }

  public static Duration duration(Config c, String key, String accepted) {
    try {
      return c.getDuration(key);
    } catch (com.typesafe.config.ConfigException e) {
      throw bad(key, null, c.hasPath(key) ? c.getValue(key).unwrapped() : null, accepted);
    }
  }

  public static long bytesIn(Config c, String key) {
    try {
      long v = c.getBytes(key);
      if (v <= 0) {
        throw bad(key, null, v, "a positive size such as 512 MiB");
      }
      return v;
    } catch (com.typesafe.config.ConfigException e) {
      throw bad(key, null, c.hasPath(key) ? c.getValue(key).unwrapped() : null, "a size such as 512 MiB");
    }
  }

  public interface Parser<T> {
    T parse(String s);
  }

  public static <T> T enumSetting(Config c, String key, String flag, Parser<T> parser, String accepted) {
    String v = string(c, key);
    if (v.isEmpty()) {
      throw new UserError("unseg." + key + " is not set: it accepts " + accepted
          + (flag == null ? "" : " (flag " + flag + ")"));
    }
    try {
      return parser.parse(v);
    } catch (IllegalArgumentException e) {
      throw bad(key, flag, v, accepted);
    }
  }

  public static UserError bad(String key, String flag, Object value, String accepted) {
    return UserError.setting("unseg." + key, value, accepted, flag);
  }

}
