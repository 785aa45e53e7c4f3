package dev.unseg.jobs.inspect;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.audit.ImageStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * {@code unseg inspect OUTPUT}: prints the manifest as JSON lines (one per image) and then the
 * summary, reading Parquet directly so no Spark session is started.
 */
public final class Inspect {

  private Inspect() {}

  /**
   * Prints the manifest of the run in {@code target}, then its summary. Hadoop settings are the
   * {@code spark.hadoop.*} keys of the config (from {@code --conf}), as protect takes them.
   */
  public static int run(Config config, String target, PrintStream out, PrintStream err) throws IOException {
    boolean summaryOnly = config.getBoolean("unseg.inspect.summary-only");
    Config c = config.getConfig("unseg");
    String status = SettingReads.string(c, "inspect.status").isEmpty() ? null : SettingReads.enumSetting(c, "inspect.status",
        "--status", v -> ImageStatus.fromLabel(v).label(), "failed, no_mask or protected");
    Configuration conf = SettingReads.hadoopConf(config);
    OutputLayout loc = OutputLayout.of(target);
    Storage fs = Storage.of(loc.root(), conf);
    Path manifest = loc.manifest();
    if (!fs.exists(manifest)) {
      throw loc.noManifest(fs);
    }
    ObjectMapper json = JsonMapper.builder().enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();
    if (!summaryOnly) {
      List<Path> parts = fs.children(manifest).stream().filter(p -> p.getName().endsWith(".parquet"))
          .sorted(Comparator.comparing(Path::getName)).toList();
      for (Path part : parts) {
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), part).withConf(conf).build()) {
          for (Group g = reader.read(); g != null; g = reader.read()) {
            if (status == null || status.equals(g.getString("status", 0))) {
              out.println(json.writeValueAsString(toJson(json, g)));
            }
          }
        }
      }
    }
    Path summary = loc.summary();
    if (fs.exists(summary)) {
      try (InputStream in = fs.open(summary)) {
        out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(in)));
      }
    } else {
      err.println("unseg inspect: no summary.json yet (" + summary + "): the run did not finish");
    }
    out.flush();
    return 0;
  }

  private static ObjectNode toJson(ObjectMapper json, Group g) {
    ObjectNode node = json.createObjectNode();
    GroupType schema = g.getType();
    for (int f = 0; f < schema.getFieldCount(); f++) {
      Type t = schema.getType(f);
      String name = t.getName();
      if (g.getFieldRepetitionCount(f) == 0) {
        node.putNull(name);
        continue;
      }
      PrimitiveType p = t.asPrimitiveType();
      LogicalTypeAnnotation logical = p.getLogicalTypeAnnotation();
      switch (p.getPrimitiveTypeName()) {
        case BINARY -> node.put(name, g.getString(f, 0));
        case INT32 -> node.put(name, g.getInteger(f, 0));
        case INT64 -> {
          long v = g.getLong(f, 0);
          if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
            Instant i = switch (ts.getUnit()) {
              case MILLIS -> Instant.ofEpochMilli(v);
              case MICROS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1000);
              case NANOS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
            };
            node.put(name, i.toString());
          } else {
            node.put(name, v);
          }
        }
        case DOUBLE -> node.put(name, g.getDouble(f, 0));
        case FLOAT -> node.put(name, g.getFloat(f, 0));
        case BOOLEAN -> node.put(name, g.getBoolean(f, 0));
        default -> node.put(name, g.getValueToString(f, 0));
      }
    }
    return node;
  }

}
