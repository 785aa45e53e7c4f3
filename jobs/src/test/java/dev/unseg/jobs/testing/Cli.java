package dev.unseg.jobs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The CLI called in-process (no System.exit), as the tests run it: protect, inspect, any command. */
public final class Cli {
  /** The sample datasets shipped in samples/ (tests run in jobs/). */
  public static final Path SAMPLES = Paths.get("..", "samples").toAbsolutePath().normalize();
  public static final ObjectMapper JSON = new ObjectMapper();

  private Cli() {}

  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    return dev.unseg.jobs.cli.UnsegCli.run(args, out, err);
  }

  public record Run(int code, String out, String err) {
    public List<JsonNode> inspectRows(Path output) throws Exception {
      return Cli.inspectRows(output);
    }
  }

  /** The manifest rows as `unseg inspect` prints them, checking there is one per input path. */
  public static List<JsonNode> inspectRows(Path output) throws Exception {
    List<JsonNode> rows = inspectRowsAllowingDuplicates(output);
    Set<String> paths = new HashSet<>();
    rows.forEach(r -> assertTrue(paths.add(r.get("input_path").asText()), "one row per image: " + r));
    return rows;
  }

  /** The manifest rows; entries rejected as duplicate_image share their input path. */
  public static List<JsonNode> inspectRowsAllowingDuplicates(Path output) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    int code = run(new String[] {"inspect", output.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8),
        new PrintStream(errBuf, true, StandardCharsets.UTF_8));
    assertEquals(0, code, errBuf.toString(StandardCharsets.UTF_8));
    List<JsonNode> rows = new ArrayList<>();
    for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("{\"run_id\"")) {
        rows.add(JSON.readTree(line));
      }
    }
    return rows;
  }

  public static Run protect(String... args) throws Exception {
    String[] full = Stream.concat(Stream.of("protect"), Stream.concat(Stream.of(args),
        Stream.of("--key", "test-key", "--master", "local[2]", "--conf", "spark.ui.enabled=false",
            "--conf", "unseg.run.progress-interval=0"))).toArray(String[]::new);
    return runCli(full);
  }

  public static Run protectWithoutKey(String... args) throws Exception {
    return runCli(Stream.concat(Stream.of("protect"), Stream.of(args)).toArray(String[]::new));
  }

  public static Run runCli(String[] args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
