package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.audit.AuditRecord;

/**
 * One image's audit record plus where its time went, in milliseconds of wall time: read, decode
 * and mask; its share of its batch's generator call; composite, encode and write.
 */
public record ImageOutcome(AuditRecord record, long prepareMillis, long generateMillis, long finishMillis) {}
