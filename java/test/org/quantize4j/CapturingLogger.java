package org.quantize4j;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Test helper: an SLF4J logger that keeps every formatted message at INFO and above, to check what the library
 * warns about.
 *
 * <pre>{@code
 * CapturingLogger log = new CapturingLogger();
 * Quantization.quantizeNet(net, QuantizeNetOptions.defaults().logger(log)...);
 * assertTrue(log.warnings().get(0).contains("matches no node"));
 * }</pre>
 */
public final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    /** One logged message. */
    public record Event(Level level, String message) {
    }

    private final List<Event> events = new ArrayList<>();

    public CapturingLogger() {
        this.name = "capture";
    }

    public synchronized List<Event> events() { return List.copyOf(events); }

    /** The WARN messages, in order. */
    public synchronized List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (Event e : events) if (e.level() == Level.WARN) out.add(e.message());
        return out;
    }

    @Override
    protected String getFullyQualifiedCallerName() { return null; }

    @Override
    protected synchronized void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                                            Throwable t) {
        events.add(new Event(level, MessageFormatter.basicArrayFormat(pattern, args)));
    }

    @Override
    public boolean isTraceEnabled() { return false; }

    @Override
    public boolean isDebugEnabled() { return false; }

    @Override
    public boolean isInfoEnabled() { return true; }

    @Override
    public boolean isWarnEnabled() { return true; }

    @Override
    public boolean isErrorEnabled() { return true; }
}
