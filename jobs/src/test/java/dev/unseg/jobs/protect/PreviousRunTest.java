package dev.unseg.jobs.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.unseg.jobs.config.RunSafety;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviousRunTest {
  @TempDir Path tmp;

  /**
   * --overwrite deletes the run it replaces but not the new run's lease: on a local output it used to
   * delete the whole _unseg/ folder with the lease in it (a listed folder's name read as ""), leaving
   * the output open to a second run while this one wrote.
   */
  @Test
  void overwriteKeepsTheLeaseOfTheRunThatOverwrites() throws Exception {
    Path out = tmp.resolve("out");
    for (String file : List.of("_SUCCESS", "images/a.jpg", "images/sub/b.png", "_unseg/manifest/part-0.parquet",
        "_unseg/records/part-x.json", "_unseg/settings.json", "_unseg/lease.json")) {
      Files.createDirectories(out.resolve(file).getParent());
      Files.writeString(out.resolve(file), file);
    }
    Locations locations = Locations.of(tmp.resolve("in").toString(), tmp.resolve("in/ann").toString(), out.toString());
    Storage fs = Storage.of(locations.output(), new Configuration());
    PreviousRun.prepare(fs, locations, new RunSafety(false, true, 1.0, List.of(), Duration.ofMinutes(2)));
    try (Stream<Path> left = Files.walk(out)) {
      assertEquals(List.of("_unseg", "_unseg/lease.json"), left.filter(p -> !p.equals(out))
          .map(p -> out.relativize(p).toString()).sorted().toList());
    }
  }
}
