package dev.unseg.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Locations as people type them, and as protect prints them: with spaces and accents too. */
class LocationsTest {
  @Test
  void pathsWithSpacesNameWhatTheySay() {
    URI printed = Locations.qualify("file:/tmp/sp ace é/out put/");
    assertEquals("file", printed.getScheme());
    assertEquals("/tmp/sp ace é/out put", printed.getPath()); // a folder's slash is Locations.directory's to add
    assertEquals(printed, Locations.qualify("/tmp/sp ace é/out put/"));
    assertEquals(printed.getPath(), Locations.qualify("file:/tmp/sp%20ace%20é/out%20put").getPath(), "the URI-encoded form");

    URI s3 = Locations.qualify("s3a://bucket/raw data/images");
    assertEquals("s3a", s3.getScheme());
    assertEquals("bucket", s3.getHost());
    assertEquals("/raw data/images", s3.getPath());

    assertEquals(new File("some dir/x").getAbsoluteFile().toURI().normalize(), Locations.qualify("some dir/x"));
  }
}
