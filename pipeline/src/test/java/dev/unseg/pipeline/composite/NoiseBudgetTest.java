package dev.unseg.pipeline.composite;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NoiseBudgetTest {
  @Test
  void defaultsAreUnsegs() {
    assertEquals(new NoiseBudget(8, 2), NoiseBudget.DEFAULT);
    assertEquals((float) (8.0 / 255.0), NoiseBudget.DEFAULT.epsFraction());
  }

  @Test
  void rejectsBudgetsOutsideTheByteRange() {
    assertDoesNotThrow(() -> new NoiseBudget(255, 255));
    assertDoesNotThrow(() -> new NoiseBudget(0.5, 0));
    for (double[] bad : new double[][] {{0, 0}, {-1, 0}, {256, 2}, {8, -1}, {8, 9}, {Double.NaN, 2}, {8, Double.NaN},
        {Double.POSITIVE_INFINITY, 2}}) {
      assertThrows(IllegalArgumentException.class, () -> new NoiseBudget(bad[0], bad[1]), bad[0] + "/" + bad[1]);
    }
  }
}
