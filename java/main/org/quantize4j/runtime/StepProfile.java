package org.quantize4j.runtime;

/**
 * Time spent in one step of {@link Executor#forward()} over a profiling run ({@link Executor#profile}).
 *
 * <pre>{@code
 * for (StepProfile s : executor.profile(20).sortedByTime()) {
 *     System.out.printf("%-30s %-12s %-32s %.3f ms%n", s.nodeName(), s.kind(), s.impl(), s.millisPerCall());
 * }
 * }</pre>
 *
 * @param index      position of the step in forward() order
 * @param nodeName   the graph node it belongs to; a reorder inserted to change a layout carries the name
 *                   of the node it feeds ({@code conv0_fwd_in}) or of the graph output it writes
 * @param kind       the oneDNN primitive kind ({@code convolution}, {@code reorder}, {@code inner_product},
 *                   ...), or {@code host} for a step run in Java
 * @param impl       oneDNN's implementation name ({@code primitive_desc::impl_info_str()}, e.g.
 *                   {@code brg_conv_fwd:avx512_core_vnni}), or {@code java} for a host step
 * @param totalNanos time in this step summed over the profiled forward passes
 * @param calls      how many times it ran (the number of profiled forward passes)
 * @param boundary   for a reorder: it reads a graph input's staging buffer or writes a graph output buffer
 *                   (layout changes at the graph boundary, expected); false for reorders inside the graph
 */
public record StepProfile(int index, String nodeName, String kind, String impl, long totalNanos, long calls,
                          boolean boundary) {
    /** The oneDNN primitive kind of reorders. */
    public static final String REORDER = "reorder";

    public boolean isReorder() {
        return REORDER.equals(kind);
    }

    /** Mean time per call in milliseconds. */
    public double millisPerCall() {
        return calls == 0 ? 0 : totalNanos / 1e6 / calls;
    }
}
