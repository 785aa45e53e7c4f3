package dev.unseg.pipeline.nn;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a JVM stopped mid-training (Ctrl-C, SIGTERM) from unloading libtorch under a native step. At shutdown
 * a hook takes the step lock and keeps it: the step in progress finishes, no new one starts, and the training
 * thread waits in Java while the JVM exits. Without it the exit's C++ destructors ran while the training thread
 * was inside libtorch, and the JVM crashed with SIGSEGV and left a crash report in the working directory.
 */
public final class NativeSteps {
  private static final ReentrantLock LOCK = new ReentrantLock();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(NativeSteps::holdForExit, "unseg-native-steps"));
  }

  private NativeSteps() {}

  /** One step of native work (a training batch, a test pass); blocks for good once the JVM is exiting. */
  public static <T, E extends Exception> T run(Step<T, E> step) throws E {
    LOCK.lock();
    try {
      return step.run();
    } finally {
      LOCK.unlock();
    }
  }

  private static void holdForExit() {
    try {
      // A step takes at most seconds; past a minute the exit goes on regardless.
      LOCK.tryLock(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A step that may throw. */
  @FunctionalInterface
  public interface Step<T, E extends Exception> {
    T run() throws E;
  }
}
