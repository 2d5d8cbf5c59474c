// KL-divergence threshold search with the arithmetic of MXNet 1.9.1's calibrate.cc (float32 throughout,
// integer merge sums, the same accumulation order), so thresholds and divergences match bit for bit.
#include "quantize4j_calib.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

namespace {

constexpr float kEps = 0.0001f;

// Replaces zeros by eps and takes the same total off the non-zero entries. Returns false when that is
// impossible (all zeros, or the per-entry deduction would reach 1), which MXNet scores as +inf.
bool smooth(std::vector<float>& d) {
    size_t zeros = 0;
    for (float v : d) zeros += (v == 0.f) ? 1 : 0;
    const size_t nonZeros = d.size() - zeros;
    if (nonZeros == 0) return false;
    const float eps1 = kEps * static_cast<float>(zeros) / static_cast<float>(nonZeros);
    if (eps1 >= 1.0f) return false;
    for (float& v : d) {
        const bool z = (v == 0.f);
        // Same expression shape as MXNet: v += eps * is_zero - eps1 * is_nonzero.
        const float delta = kEps * static_cast<float>(z ? 1 : 0) - eps1 * static_cast<float>(z ? 0 : 1);
        v += delta;
    }
    return true;
}

// KL(p || q) of the two distributions after normalising each to sum 1 (float32 sums, in order).
float klDivergence(std::vector<float>& p, std::vector<float>& q) {
    float pSum = 0.f;
    for (float v : p) pSum += v;
    float qSum = 0.f;
    for (float v : q) qSum += v;
    for (float& v : p) v = v / pSum;
    for (float& v : q) v = v / qSum;
    float ret = 0.f;
    for (size_t k = 0; k < p.size(); k++) {
        // MXNet CHECK-fails here; with smoothed inputs it cannot happen, but never return garbage.
        if (!(p[k] > 0.f && q[k] > 0.f)) return std::numeric_limits<float>::infinity();
        ret += p[k] * std::log(p[k] / q[k]);
    }
    return ret;
}

// Divergence of candidate i: reference p = hist[zero-i .. zero+i] with both tails folded into its end
// slots; q = the same slice merged into nq levels and spread back over its non-zero bins.
// Quirk kept from MXNet: the slice's first bin (index zero-i) goes into p[0] with the left tail but is
// left out of the sliced histogram, so its mass never reaches q.
float divergenceAt(const float* hist, int64_t numBins, int32_t nq, int64_t i) {
    const int64_t zero = numBins / 2;
    const size_t start = static_cast<size_t>(zero - i);
    const size_t stop = static_cast<size_t>(zero + i + 1);
    const size_t len = stop - start;

    std::vector<size_t> sliced(len, 0);
    std::vector<float> p(len, 0.f);
    for (size_t j = 0; j < static_cast<size_t>(numBins); j++) {
        if (j <= start) {
            p[0] += hist[j];
        } else if (j >= stop) {
            p[len - 1] += hist[j];
        } else {
            sliced[j - start] = static_cast<size_t>(hist[j]);
            p[j - start] = hist[j];
        }
    }

    const size_t merged = len / static_cast<size_t>(nq);
    std::vector<float> levels(static_cast<size_t>(nq), 0.f);
    for (int32_t j = 0; j < nq; j++) {
        size_t sum = 0;
        for (size_t k = j * merged; k < (j + 1) * merged; k++) sum += sliced[k];
        // MXNet accumulates into an int.
        levels[j] = static_cast<float>(static_cast<int>(sum));
    }
    {
        size_t rest = 0;
        for (size_t k = static_cast<size_t>(nq) * merged; k < len; k++) rest += sliced[k];
        levels[nq - 1] += static_cast<float>(static_cast<int>(rest));
    }

    std::vector<float> q(len, 0.f);
    for (int32_t j = 0; j < nq; j++) {
        const size_t s = j * merged;
        const size_t e = (j == nq - 1) ? len : (j + 1) * merged;
        int norm = 0;
        for (size_t k = s; k < e; k++) norm += (sliced[k] != 0) ? 1 : 0;
        if (norm == 0) continue;
        for (size_t k = s; k < e; k++) {
            if (p[k] != 0.f) q[k] = levels[j] / static_cast<float>(norm);
        }
    }
    const bool pOk = smooth(p);
    const bool qOk = smooth(q);
    if (!qOk || !pOk) return std::numeric_limits<float>::infinity();
    return klDivergence(p, q);
}

std::vector<float> toFloat(const int64_t* counts, int64_t numBins) {
    std::vector<float> h(static_cast<size_t>(numBins));
    for (int64_t k = 0; k < numBins; k++) h[k] = static_cast<float>(counts[k]);
    return h;
}

}  // namespace

extern "C" float q4j_kl_divergence_at(const int64_t* counts, int64_t num_bins, int32_t num_quantized_bins,
                                      int64_t i) {
    if (counts == nullptr || num_bins < 1 || num_quantized_bins < 1 || i < num_quantized_bins / 2 ||
        i > num_bins / 2) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    const std::vector<float> h = toFloat(counts, num_bins);
    return divergenceAt(h.data(), num_bins, num_quantized_bins, i);
}

extern "C" int32_t q4j_kl_threshold(const int64_t* counts, const float* edges, int64_t num_bins,
                                    int32_t num_quantized_bins, int32_t num_threads, float* out) {
    if (counts == nullptr || edges == nullptr || out == nullptr || num_bins < 1 || num_quantized_bins < 1) {
        return Q4J_ERR_ARGUMENT;
    }
    const int64_t zero = num_bins / 2;
    const int64_t half = num_quantized_bins / 2;
    if (zero < half) return Q4J_ERR_TOO_FEW_BINS;
    const int64_t candidates = zero + 1 - half;
    const std::vector<float> h = toFloat(counts, num_bins);
    std::vector<float> divergence(static_cast<size_t>(candidates));
    const int threads = num_threads > 0 ? num_threads : std::max(1, omp_get_max_threads());
#pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
    for (int64_t c = 0; c < candidates; c++) {
        divergence[c] = divergenceAt(h.data(), num_bins, num_quantized_bins, c + half);
    }
    // First strict minimum, starting from FLT_MAX like MXNet (all-infinite -> first candidate, FLT_MAX).
    size_t best = 0;
    float bestDiv = FLT_MAX;
    for (size_t c = 0; c < divergence.size(); c++) {
        if (divergence[c] < bestDiv) {
            bestDiv = divergence[c];
            best = c;
        }
    }
    out[0] = edges[zero + static_cast<int64_t>(best) + half + 1];
    out[1] = bestDiv;
    return Q4J_OK;
}
