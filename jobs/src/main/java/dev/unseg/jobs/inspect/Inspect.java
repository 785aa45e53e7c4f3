package dev.unseg.jobs.inspect;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.io.Locations;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
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
  private static final String HADOOP_PREFIX = "spark.hadoop.";

  private Inspect() {}

  public static int main(String[] args, PrintStream out, PrintStream err) throws IOException {
    boolean summaryOnly = false;
    String target = null;
    Configuration conf = new Configuration();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          out.println("""
              usage: unseg inspect OUTPUT [--summary-only] [--conf spark.hadoop.KEY=VALUE]...

              Prints the manifest of a protect run's OUTPUT (path or URI) as JSON lines, one per input
              image, then its summary.json. Object-store settings are the same --conf
              spark.hadoop.fs.s3a.* (or fs.gs.*) settings that protect takes; a core-site.xml on the
              classpath or in HADOOP_CONF_DIR is read too.""");
          return 0;
        }
        case "--summary-only" -> summaryOnly = true;
        case "--conf" -> {
          if (i + 1 >= args.length) {
            err.println("unseg inspect: --conf needs spark.hadoop.KEY=VALUE");
            return 2;
          }
          String kv = args[++i];
          int eq = kv.indexOf('=');
          if (eq <= 0 || !kv.startsWith(HADOOP_PREFIX)) {
            err.println("unseg inspect: --conf takes Hadoop settings as spark.hadoop.KEY=VALUE, got '"
                + (eq > 0 ? kv.substring(0, eq) : kv) + "'");
            return 2;
          }
          conf.set(kv.substring(HADOOP_PREFIX.length(), eq), kv.substring(eq + 1));
        }
        default -> target = args[i];
      }
    }
    if (target == null) {
      err.println("unseg inspect: give the output location of a protect run (see unseg inspect --help)");
      return 2;
    }
    Locations loc = Locations.of(target, target, target);
    URI output = loc.output();
    FileSystem fs = FileSystem.get(output, conf);
    Path manifest = loc.auditPath("manifest");
    if (!fs.exists(manifest)) {
      throw new FileNotFoundException(target + " has no manifest (" + manifest + "): is it the --output of a protect run?");
    }
    ObjectMapper json = JsonMapper.builder().enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();
    if (!summaryOnly) {
      FileStatus[] parts = fs.listStatus(manifest, p -> p.getName().endsWith(".parquet"));
      Arrays.sort(parts, Comparator.comparing(s -> s.getPath().getName()));
      for (FileStatus part : parts) {
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), part.getPath()).withConf(conf).build()) {
          for (Group g = reader.read(); g != null; g = reader.read()) {
            out.println(json.writeValueAsString(toJson(json, g)));
          }
        }
      }
    }
    Path summary = loc.auditPath("summary.json");
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
