package org.quantize4j.cli;

import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;

/**
 * A {@link DataIter} that reports the examples handed out to a {@link Progress}, so a loop inside the library
 * (calibration) shows progress without knowing about it. Counting restarts at {@link #reset()}.
 *
 * <pre>{@code
 * DataIter it = new ProgressDataIter(dataset.iterator(32), progress, 320, "images");
 * Quantization.quantizeModel(sym, args, aux, options.calibData(it));   // calibrating [#####....] 160/320 images
 * }</pre>
 */
final class ProgressDataIter implements DataIter {
    private final DataIter inner;
    private final Progress progress;
    private final long total;
    private final String unit;
    private final Runnable atEnd;
    private long done;
    private boolean ended;

    /** @param total examples the loop will take (reported as done when reached), <= 0 if unknown */
    ProgressDataIter(DataIter inner, Progress progress, long total, String unit) {
        this(inner, progress, total, unit, null);
    }

    /** @param atEnd run once when the first pass reaches {@code total} examples or the end of the data (null: nothing) */
    ProgressDataIter(DataIter inner, Progress progress, long total, String unit, Runnable atEnd) {
        this.inner = inner;
        this.progress = progress;
        this.total = total;
        this.unit = unit;
        this.atEnd = atEnd;
    }

    @Override public int batchSize() { return inner.batchSize(); }

    @Override public long size() { return inner.size(); }

    @Override
    public void reset() {
        inner.reset();
        done = 0;
    }

    @Override
    public boolean hasNext() {
        boolean more = inner.hasNext();
        if (!more) end();
        return more;
    }

    @Override
    public DataBatch next() {
        DataBatch b = inner.next();
        done += b.count();
        progress.update(total > 0 ? Math.min(done, total) : done, total, unit);
        if (total > 0 && done >= total) end();
        return b;
    }

    private void end() {
        if (ended) return;
        ended = true;
        progress.done();
        if (atEnd != null) atEnd.run();
    }

    @Override
    public void close() {
        progress.done();
        inner.close();
    }
}
