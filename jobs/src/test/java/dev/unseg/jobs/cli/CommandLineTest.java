package dev.unseg.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every subcommand's help shows each flag's key and reference.conf default; mistakes get a suggestion and exit 2. */
class CommandLineTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = UnsegCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpShowsKeysAndDefaultsFromReferenceConf() {
    Result r = run("protect", "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("--eps=GREYS") && r.out().contains("(default 8)") && r.out().contains("[unseg.noise.eps]"), r.out());
    assertTrue(r.out().contains("(default same)") && r.out().contains("[unseg.output.jpeg-quality]"), r.out());
    for (Command c : UnsegCli.COMMANDS) {
      Result h = run(c.name(), "--help");
      assertEquals(0, h.code(), c.name() + ": " + h.err());
      String unwrapped = h.out().replaceAll("\\s+", ""); // picocli wraps long descriptions
      for (Command.Flag f : c.flags()) {
        assertTrue(unwrapped.contains(f.name()) && unwrapped.contains("[" + f.key() + "]"), c.name() + " help lacks " + f.name() + ":\n" + h.out());
      }
    }
    Result top = run("--help");
    assertEquals(0, top.code());
    UnsegCli.COMMANDS.forEach(c -> assertTrue(top.out().contains(c.name()), top.out()));
    assertEquals(2, run().code(), "no command at all is a usage error");
  }

  @Test
  void mistypedOptionsAndCommandsGetASuggestion() {
    Result option = run("protect", "--epss", "4");
    assertEquals(2, option.code());
    assertTrue(option.err().contains("--epss") && option.err().contains("did you mean --eps"), option.err());
    assertTrue(option.err().lines().count() == 1 && !option.err().contains("Exception"), option.err());
    Result command = run("protcet", "--eps", "4");
    assertEquals(2, command.code());
    assertTrue(command.err().contains("did you mean protect"), command.err());
  }

  @Test
  void aFlagGivenTwiceTakesItsLastValueAndFlagsGiveWayToConf() {
    assertEquals(6, UnsegCli.config("protect", "--eps", "4", "--eps", "6").getInt("unseg.noise.eps"));
    assertEquals(3, UnsegCli.config("protect", "--eps", "4", "--conf", "unseg.noise.eps=3").getInt("unseg.noise.eps"));
  }

  /** report writes into _unseg/ without taking the output: a live run's lease refuses it, changing nothing. */
  @Test
  void reportIsRefusedWhileARunHoldsTheOutput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path lease = java.nio.file.Files.createDirectories(tmp.resolve("out/_unseg")).resolve("lease.json");
    String now = java.time.Instant.now().toString();
    java.nio.file.Files.writeString(lease, "{\"run_id\":\"r1\",\"host\":\"h\",\"pid\":1,\"acquired_at\":\"" + now
        + "\",\"heartbeat_at\":\"" + now + "\"}");
    Result r = run("report", tmp.resolve("out").toString(), "--master", "local[1]", "--conf", "spark.ui.enabled=false");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("is being written by run r1"), r.err());
    assertEquals(java.util.List.of(lease), java.nio.file.Files.list(tmp.resolve("out/_unseg")).toList());
  }

  /** --version: this build (the jar's manifest; tests run from target/classes), Java's and Spark's. */
  @Test
  void versionSaysWhatRuns() {
    for (String flag : new String[] {"--version", "-V"}) {
      Result v = run(flag);
      assertEquals(0, v.code(), v.err());
      assertTrue(v.out().matches("unseg \\S.* \\(Java \\d+, Spark 3\\.5\\.\\d+\\)\\R"), v.out());
    }
  }

  @Test
  void badValuesNameTheirKeyAndFlag() {
    Result size = run("bench", "--jpeg-size", "640");
    assertEquals(2, size.code());
    assertTrue(size.err().contains("unseg.bench.jpeg-size") && size.err().contains("--jpeg-size"), size.err());
    Result noOutput = run("inspect");
    assertEquals(2, noOutput.code());
    assertTrue(noOutput.err().contains("OUTPUT"), noOutput.err());
    Result unknownKey = run("report", "out", "--conf", "unseg.report.sample=3");
    assertEquals(2, unknownKey.code());
    assertTrue(unknownKey.err().contains("did you mean unseg.report.samples"), unknownKey.err());
    Result otherSection = run("report", "out", "--conf", "unseg.generator.eps=4");
    assertEquals(2, otherSection.code());
    assertTrue(otherSection.err().contains("unseg.generator.eps is not a setting (from --conf): did you mean unseg.noise.eps or unseg.train-generator.eps? Every"),
        otherSection.err());
  }
}
