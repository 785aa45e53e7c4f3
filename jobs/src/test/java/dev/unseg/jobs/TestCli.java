package dev.unseg.jobs;

import java.io.PrintStream;

/** Calls the CLI in-process without System.exit. */
final class TestCli {
  private TestCli() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    return dev.unseg.jobs.cli.UnsegCli.run(args, out, err);
  }
}
