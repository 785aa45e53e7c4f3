package dev.unseg.jobs.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TaskPlannerTest {
  @Test
  void partitionsFillWholeWavesOfCores() {
    assertEquals(6, TaskPlanner.partitionCount(320, 64, 0, 2), "5 by size, rounded up to 3 waves of 2");
    assertEquals(30, TaskPlanner.partitionCount(1600, 64, 0, 10), "25 by size -> 3 waves of 10");
    assertEquals(20, TaskPlanner.partitionCount(1280, 64, 0, 10), "already whole waves");
    assertEquals(2, TaskPlanner.partitionCount(16, 64, 0, 2), "one per core for a small set");
    assertEquals(3, TaskPlanner.partitionCount(3, 64, 0, 8), "never more partitions than images");
    assertEquals(1, TaskPlanner.partitionCount(0, 64, 0, 8), "an empty plan still has one partition");
    assertEquals(7, TaskPlanner.partitionCount(320, 64, 7, 2), "partitions.count wins");
    assertEquals(15_625_000, TaskPlanner.partitionCount(1_000_000_000L, 64, 0, 1000), "large sets: size decides");
  }
}
