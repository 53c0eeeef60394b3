package com.getox.crypto.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where audit events go. The default, {@link #slf4j()}, writes one JSON object per event to the
 * SLF4J logger {@code com.getox.crypto.audit} at INFO; route that logger to your audit pipeline.
 *
 * <pre>{@code
 * Recordings recordings = Recordings.builder().wrapWith(kek).auditSink(AuditSink.slf4j()).build();
 * AuditSink mine = event -> siem.send(AuditSink.toJson(event));
 * }</pre>
 *
 * <p>Implementations must be thread-safe. A sink that fails either carries on (the key operation
 * proceeds unrecorded) or, to fail closed, throws {@link AuditWriteException}: {@link
 * com.getox.crypto.Recordings} and {@link com.getox.crypto.local.LocalKms} then stop the operation
 * with a {@link com.getox.crypto.AuditFailedException} before releasing any key, plaintext or
 * header. Other exceptions must not be thrown.
 */
@FunctionalInterface
public interface AuditSink {
  /**
   * Records one event. Called on the thread doing the key operation, so it should be quick (hand
   * the event to a queue if delivery may block).
   *
   * @param event the event; never null
   */
  void record(AuditEvent event);

  /** The logger name of {@link #slf4j()}. */
  String LOGGER = "com.getox.crypto.audit";

  /**
   * JSON lines to the SLF4J logger {@value #LOGGER}, at INFO.
   *
   * @return the shared SLF4J sink
   */
  static AuditSink slf4j() {
    return Slf4j.INSTANCE;
  }

  /**
   * Discards events.
   *
   * @return a sink that records nothing
   */
  static AuditSink none() {
    return event -> {};
  }

  /**
   * The JSON form of an event, as {@link #slf4j()} writes it: one line, fields {@code ts}
   * (epoch milliseconds), {@code op}, {@code kek}, {@code kekVersion}, {@code headerId}, {@code
   * contextHmac} (the last four left out when null), {@code outcome} and {@code micros}.
   *
   * @param e the event; not null
   * @return a JSON object on one line
   */
  static String toJson(AuditEvent e) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = Slf4j.Json.FACTORY.createGenerator(w)) {
      g.writeStartObject();
      g.writeNumberField("ts", e.epochMillis());
      g.writeStringField("op", e.operation().name());
      if (e.kekUri() != null) {
        g.writeStringField("kek", e.kekUri());
      }
      if (e.kekVersion() != null) {
        g.writeStringField("kekVersion", e.kekVersion());
      }
      if (e.headerId() != null) {
        g.writeStringField("headerId", e.headerId());
      }
      if (e.contextDigest() != null) {
        g.writeStringField("contextHmac", e.contextDigest());
      }
      g.writeStringField("outcome", e.outcome());
      g.writeNumberField("micros", e.durationMicros());
      g.writeEndObject();
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
    return w.toString();
  }

  /**
   * The SLF4J sink. SLF4J starts (~15-20 ms in a fresh JVM: a ServiceLoader scan of the class
   * path) at the first event, not when the sink is made, so a program that sends events elsewhere
   * never starts it; Jackson loads (~30 ms) only when an event is actually written.
   */
  final class Slf4j implements AuditSink {
    static final Slf4j INSTANCE = new Slf4j();

    private static final class Log {
      static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    }

    private static final class Json {
      static final JsonFactory FACTORY = new JsonFactory();
    }

    private Slf4j() {}

    @Override
    public void record(AuditEvent event) {
      if (Log.LOG.isInfoEnabled()) {
        Log.LOG.info(toJson(event));
      }
    }
  }
}
