package dev.unseg.jobs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest {
  @TempDir java.nio.file.Path tmp;

  /**
   * A file that goes between its folder's listing and its own read is skipped, not a failed walk: a
   * resumed run walking its output for temporary files stopped with exit 1 when the lease's heartbeat
   * renamed its own temporary file at that moment (seen once in the notebooks' resume). Here the first
   * file visited removes the others, which the folder's listing has already named.
   */
  @Test
  void aFileGoneDuringTheWalkIsSkipped() throws Exception {
    for (String name : List.of("a", "b", "c", "d")) {
      Files.writeString(tmp.resolve(name), name);
    }
    List<String> seen = new ArrayList<>();
    LocalStorage.INSTANCE.walk(tmp.toUri(), rel -> {
      if (seen.isEmpty()) {
        for (String other : List.of("a", "b", "c", "d")) {
          if (!other.equals(rel)) {
            Files.delete(tmp.resolve(other));
          }
        }
      }
      seen.add(rel);
    });
    assertEquals(1, seen.size(), seen.toString());
  }

  /** The output lease's create: exclusive, whole when visible, and no temporary file left beside it. */
  @Test
  void createNewIsExclusiveAndNeverSeenHalfWritten() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < 40; round++) {
        java.nio.file.Path file = tmp.resolve("round" + round).resolve("lease.json");
        CyclicBarrier start = new CyclicBarrier(3);
        List<Future<Boolean>> writers = new ArrayList<>();
        for (String who : List.of("first", "second")) {
          byte[] data = ("{\"run_id\":\"" + who + "\"}").getBytes(StandardCharsets.UTF_8);
          writers.add(pool.submit(() -> {
            start.await();
            return LocalStorage.INSTANCE.createNew(new Path(file.toUri()), data);
          }));
        }
        Future<List<String>> seen = pool.submit(() -> {
          start.await();
          List<String> contents = new ArrayList<>();
          for (int i = 0; i < 2000 && contents.size() < 50; i++) {
            if (Files.exists(file)) {
              contents.add(Files.readString(file));
            }
          }
          return contents;
        });
        boolean a = writers.get(0).get();
        boolean b = writers.get(1).get();
        assertTrue(a ^ b, "exactly one writer takes the file in round " + round);
        String winner = a ? "first" : "second";
        assertArrayEquals(("{\"run_id\":\"" + winner + "\"}").getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
        for (String content : seen.get()) {
          assertEquals("{\"run_id\":\"" + winner + "\"}", content, "a reader saw the file before it was whole");
        }
        try (Stream<java.nio.file.Path> left = Files.list(file.getParent())) {
          assertEquals(List.of(file), left.toList(), "no temporary file is left beside it");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertFalse(LocalStorage.INSTANCE.createNew(new Path(tmp.resolve("round0/lease.json").toUri()), new byte[0]));
  }
}
