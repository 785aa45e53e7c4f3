package dev.unseg.jobs.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.jobs.config.RunSafety;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease's heartbeat on a local output: a lease file it cannot parse (a read cut short, a writer
 * mid-write) is a hiccup, not a lost output; a readable lease of another run is; and the run's end
 * leaves another run's lease alone.
 */
class OutputLeaseTest {
  @TempDir Path tmp;

  @Test
  void anUnreadableLeaseIsRereadAndOnlyAnotherRunsLeaseIsALoss() throws Exception {
    Locations locations = Locations.of(tmp.resolve("in").toString(), tmp.resolve("in/ann").toString(), tmp.resolve("out").toString());
    Storage fs = Storage.of(locations.output(), new Configuration());
    RunSafety safety = new RunSafety(false, false, 0.1, List.of(), Duration.ofMillis(400)); // a heartbeat every 100 ms
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Path file = tmp.resolve("out/_unseg/lease.json");
    try (OutputLease lease = OutputLease.acquire(fs, locations, safety, "mine", new PrintStream(console, true, StandardCharsets.UTF_8))) {
      assertTrue(Files.readString(file).contains("\"run_id\":\"mine\""), Files.readString(file));

      writeBetweenBeats(file, "{\"run_id\":\"mi"); // as a read cut short would see it
      Thread.sleep(600);
      assertNull(lease.lostTo(), "an unreadable lease is read again at the next beat, not taken for a loss");
      assertEquals("{\"run_id\":\"mi", Files.readString(file), "and not rewritten over");

      String now = Instant.now().toString();
      writeBetweenBeats(file, "{\"run_id\":\"other\",\"host\":\"h\",\"pid\":7,\"acquired_at\":\"" + now + "\",\"heartbeat_at\":\"" + now + "\"}");
      assertNotNull(lease.lostTo(), "another run's lease is a loss");
      assertTrue(lease.lostTo().contains("run other"), lease.lostTo());
    }
    assertTrue(Files.readString(file).contains("\"run_id\":\"other\""), "the end of this run leaves the other run's lease");
    assertEquals("", console.toString(StandardCharsets.UTF_8));
  }

  /**
   * Writes the lease as another party would, again if a beat that read the file just before
   * republished over it (a window of a millisecond in every 100): kept when it survives 3 beats.
   */
  private static void writeBetweenBeats(Path file, String text) throws Exception {
    for (int i = 0; i < 5; i++) {
      Files.writeString(file, text);
      Thread.sleep(300);
      if (Files.readString(file).equals(text)) {
        return;
      }
    }
    throw new AssertionError("the heartbeat rewrote the lease each time: " + Files.readString(file));
  }
}
