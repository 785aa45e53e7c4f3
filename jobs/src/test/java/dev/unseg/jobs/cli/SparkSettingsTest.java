package dev.unseg.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Hadoop keys that are prefixes of other keys survive --conf and --config files whole. */
class SparkSettingsTest {
  static Map<String, String> sparkSettings(Config c) {
    return new TreeMap<>(dev.unseg.jobs.config.SettingReads.sparkSettings(c));
  }

  @Test
  void prefixKeysFromConfBothSurvive() {
    Config config = UnsegCli.config("protect",
        "--conf", "spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000",
        "--conf", "spark.hadoop.fs.s3a.endpoint.region=eu-west-1",
        "--conf", "spark.executor.memory=2g", "--conf", "spark.executor.memoryOverhead=1g");
    Map<String, String> s = sparkSettings(config);
    assertEquals("http://127.0.0.1:9000", s.get("spark.hadoop.fs.s3a.endpoint"));
    assertEquals("eu-west-1", s.get("spark.hadoop.fs.s3a.endpoint.region"));
    assertEquals("2g", s.get("spark.executor.memory"));
    assertEquals("1g", s.get("spark.executor.memoryOverhead"));
  }

  @Test
  void quotedKeysInTheS3aProfileReadWhole() {
    Path profile = Path.of("..", "conf", "s3a.conf").toAbsolutePath();
    Map<String, String> s = sparkSettings(UnsegCli.config("protect", "--config", profile.toString()));
    for (String k : List.of("spark.hadoop.fs.s3a.endpoint", "spark.hadoop.fs.s3a.endpoint.region",
        "spark.hadoop.fs.s3a.path.style.access")) {
      assertEquals(true, s.containsKey(k), k + " in " + s);
    }
  }
}
