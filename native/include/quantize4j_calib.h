/*
 * Quantize4J native calibration kernels: histogram collection and KL-divergence threshold search.
 *
 * A small C API (no C++ types cross it) so that JavaCPP can bind it directly. All functions are
 * re-entrant; parallel ones use OpenMP and take a thread count (0 = omp_get_max_threads()).
 *
 * The arithmetic deliberately mirrors what MXNet 1.9.1 computes (numpy 1.24 histogram on float32 data
 * for the histograms, src/operator/quantization/calibrate.cc for the threshold), down to the floating
 * point type of each operation, because the goal is bit-identical calibration tables.
 */
#ifndef QUANTIZE4J_CALIB_H
#define QUANTIZE4J_CALIB_H

#include <stdint.h>

#if defined(_WIN32)
#define Q4J_API __declspec(dllexport)
#elif defined(__GNUC__)
#define Q4J_API __attribute__((visibility("default")))
#else
#define Q4J_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by the functions below (0 = success). */
#define Q4J_OK 0
#define Q4J_ERR_ARGUMENT (-1)     /* null pointer, negative length, bin count out of range */
#define Q4J_ERR_TOO_FEW_BINS (-2) /* KL search: num_bins / 2 < num_quantized_bins / 2 */

/*
 * Scans n float32 values once: writes min and max (over all values; NaN propagates like numpy.min)
 * into out_min_max[0..1] and returns how many values are NaN or +-Inf. n must be >= 1.
 */
Q4J_API int64_t q4j_scan(const float* data, int64_t n, float* out_min_max, int32_t num_threads);

/*
 * Bin edges as numpy.linspace(first, last, num_bins + 1) evaluates them in float64
 * (i * step + first, last edge = last), each rounded to float32. Writes num_bins + 1 values.
 */
Q4J_API int32_t q4j_linspace_edges(double first, double last, int64_t num_bins, float* edges);

/*
 * numpy.histogram(data, bins=num_bins, range=(first, last)) for float32 data, ADDED into counts[num_bins].
 * edges must come from q4j_linspace_edges(first, last, num_bins). Values outside [first, last] (as float32)
 * and NaN are dropped like numpy does. Returns the number of dropped values, or a negative status.
 */
Q4J_API int64_t q4j_histogram_add(const float* data, int64_t n, double first, double last,
                          const float* edges, int64_t num_bins, int64_t* counts, int32_t num_threads);

/*
 * MXNet's _contrib_calibrate_entropy: for every candidate i in [num_quantized_bins/2, num_bins/2]
 * the KL divergence between the clipped reference distribution and its num_quantized_bins-level
 * quantization; candidates run in parallel. Writes out[0] = threshold (edges[num_bins/2 + i + 1] of the
 * best candidate), out[1] = its divergence (FLT_MAX when no candidate is finite, as MXNet reports).
 * counts are converted to float32 first, as MXNet does with nd.array(hist).
 */
Q4J_API int32_t q4j_kl_threshold(const int64_t* counts, const float* edges, int64_t num_bins,
                         int32_t num_quantized_bins, int32_t num_threads, float* out);

/* Divergence of one candidate i (same arithmetic as q4j_kl_threshold; +Inf when not smoothable). For tests. */
Q4J_API float q4j_kl_divergence_at(const int64_t* counts, int64_t num_bins, int32_t num_quantized_bins, int64_t i);

#ifdef __cplusplus
}
#endif

#endif /* QUANTIZE4J_CALIB_H */
