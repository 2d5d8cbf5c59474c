// Histogram kernels with numpy 1.24's arithmetic for float32 input (see quantize4j_calib.h).
#include "quantize4j_calib.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

int resolveThreads(int32_t requested) {
    return requested > 0 ? requested : std::max(1, omp_get_max_threads());
}

// Below this many values a parallel region costs more than it saves.
constexpr int64_t kParallelMin = 1 << 16;

}  // namespace

extern "C" int64_t q4j_scan(const float* data, int64_t n, float* out_min_max, int32_t num_threads) {
    if (data == nullptr || out_min_max == nullptr || n < 1) return Q4J_ERR_ARGUMENT;
    const int threads = n >= kParallelMin ? resolveThreads(num_threads) : 1;
    float mn = data[0];
    float mx = data[0];
    bool nan = false;
    int64_t nonFinite = 0;
#pragma omp parallel num_threads(threads) reduction(+ : nonFinite)
    {
        float lmn = data[0];
        float lmx = data[0];
        bool lnan = false;
#pragma omp for schedule(static) nowait
        for (int64_t k = 0; k < n; k++) {
            const float x = data[k];
            if (!std::isfinite(x)) {
                nonFinite++;
                if (std::isnan(x)) {
                    lnan = true;
                    continue;
                }
            }
            lmn = std::min(lmn, x);
            lmx = std::max(lmx, x);
        }
#pragma omp critical
        {
            mn = std::min(mn, lmn);
            mx = std::max(mx, lmx);
            nan = nan || lnan;
        }
    }
    if (nan) {
        // numpy.min/max propagate NaN.
        mn = std::nanf("");
        mx = std::nanf("");
    }
    out_min_max[0] = mn;
    out_min_max[1] = mx;
    return nonFinite;
}

extern "C" int32_t q4j_linspace_edges(double first, double last, int64_t num_bins, float* edges) {
    if (edges == nullptr || num_bins < 1) return Q4J_ERR_ARGUMENT;
    // numpy.linspace: step = (stop - start) / div in float64, y = arange(num) * step + start, y[-1] = stop,
    // then the cast to the histogram's float32 bin type.
    const double delta = last - first;
    const double step = delta / static_cast<double>(num_bins);
    for (int64_t k = 0; k < num_bins; k++) {
        const double y = static_cast<double>(k) * step;
        edges[k] = static_cast<float>(y + first);
    }
    edges[num_bins] = static_cast<float>(last);
    return Q4J_OK;
}

namespace {

// numpy's uniform-bin fast path. Under numpy 1.x value-based casting every operation between the float32
// data and the float64 range scalars runs in float32, so the range ends and their difference are rounded
// to float32 first; the index guess is then corrected by at most one bin against the float32 edges.
inline int64_t binOf(float x, float firstF, float denomF, float binsF, const float* edges, int64_t numBins) {
    const float f = ((x - firstF) / denomF) * binsF;
    int64_t idx = static_cast<int64_t>(f);
    if (idx >= numBins) idx = numBins - 1;
    if (idx < 0) idx = 0;
    if (x < edges[idx]) {
        idx--;
    } else if (idx != numBins - 1 && x >= edges[idx + 1]) {
        idx++;
    }
    return idx;
}

}  // namespace

extern "C" int64_t q4j_histogram_add(const float* data, int64_t n, double first, double last,
                                     const float* edges, int64_t num_bins, int64_t* counts,
                                     int32_t num_threads) {
    if (n < 0 || num_bins < 1 || edges == nullptr || counts == nullptr || (n > 0 && data == nullptr)) {
        return Q4J_ERR_ARGUMENT;
    }
    const float firstF = static_cast<float>(first);
    const float lastF = static_cast<float>(last);
    const float denomF = static_cast<float>(last - first);
    const float binsF = static_cast<float>(num_bins);
    const int threads = n >= kParallelMin ? resolveThreads(num_threads) : 1;
    int64_t dropped = 0;
    if (threads == 1) {
        for (int64_t k = 0; k < n; k++) {
            const float x = data[k];
            if (!(x >= firstF && x <= lastF)) {
                dropped++;
                continue;
            }
            counts[binOf(x, firstF, denomF, binsF, edges, num_bins)]++;
        }
        return dropped;
    }
    // Per-thread private counts, summed afterwards: integer sums, so the result does not depend on threads.
    std::vector<int64_t> local(static_cast<size_t>(threads) * static_cast<size_t>(num_bins), 0);
#pragma omp parallel num_threads(threads) reduction(+ : dropped)
    {
        int64_t* mine = local.data() + static_cast<size_t>(omp_get_thread_num()) * static_cast<size_t>(num_bins);
#pragma omp for schedule(static)
        for (int64_t k = 0; k < n; k++) {
            const float x = data[k];
            if (!(x >= firstF && x <= lastF)) {
                dropped++;
                continue;
            }
            mine[binOf(x, firstF, denomF, binsF, edges, num_bins)]++;
        }
    }
    for (int t = 0; t < threads; t++) {
        const int64_t* theirs = local.data() + static_cast<size_t>(t) * static_cast<size_t>(num_bins);
        for (int64_t b = 0; b < num_bins; b++) counts[b] += theirs[b];
    }
    return dropped;
}
