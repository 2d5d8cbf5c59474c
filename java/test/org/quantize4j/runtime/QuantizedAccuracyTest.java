package org.quantize4j.runtime;

import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.IdxDataset;
import org.quantize4j.data.Normalization;
import org.quantize4j.ndarray.NDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * INT8 accuracy of the four Fashion-MNIST models: quantizeModel (SMART, AUTO, naive and entropy calibration
 * on the 320 calibration images) then the 10,000 test images. INT8 top-1 must be at least MXNet 1.9.1's INT8
 * accuracy (test-models/&lt;m&gt;-results.json) minus 0.001 and our FP32 accuracy minus 0.005, and agree with
 * FP32 on at least 98.5% of the images. About 3 minutes: in the "slow" group; {@link #mlpNaiveAccuracy} is the
 * quick default-suite variant.
 */
public class QuantizedAccuracyTest {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizedAccuracyTest.class);
    private static final int BATCH = 500;

    @DataProvider
    public Object[][] cases() {
        String[] models = {"fmnist_mlp", "fmnist_resnet20_v1", "fmnist_mobilenet_v2", "fmnist_inception"};
        Object[][] out = new Object[models.length * 2][];
        int k = 0;
        for (String m : models) {
            out[k++] = new Object[] {m, CalibMode.NAIVE};
            out[k++] = new Object[] {m, CalibMode.ENTROPY};
        }
        return out;
    }

    static DataIter calibData() throws IOException {
        Path f = FixtureFp32Test.testModels().resolve("fashion-mnist/train320-images-idx3-ubyte.gz");
        return IdxDataset.openUnlabeled(f).iterator(32, Normalization.of(1 / 255.0, 0.2860f, 0.3530f));
    }

    static QuantizedModel quantize(Model m, CalibMode mode, QuantizedDtype dtype, QuantizeMode qmode) throws IOException {
        try (DataIter it = mode == CalibMode.NONE ? null : calibData()) {
            QuantizeOptions o = QuantizeOptions.defaults().calibMode(mode).quantizedDtype(dtype).quantizeMode(qmode);
            if (it != null) o.calibData(it).numCalibExamples(320);
            return Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), o);
        }
    }

    @Test
    public void mlpNaiveAccuracy() throws Exception {
        int8AccuracyMatchesMxnetAndFp32("fmnist_mlp", CalibMode.NAIVE);
    }

    @Test(dataProvider = "cases", groups = "slow")
    public void int8AccuracyMatchesMxnetAndFp32(String name, CalibMode mode) throws Exception {
        Path dir = FixtureFp32Test.testModels();
        Model m = Model.load(dir.resolve(name).toString());
        JsonNode results = new ObjectMapper().readTree(Files.readString(dir.resolve(name + "-results.json")));
        double mxnetInt8 = results.get(mode.mxnetName()).get("int8_acc").asDouble();
        float[] x = Fmnist.testImages();
        int[] labels = Fmnist.testLabels();
        int[] fp32 = Fmnist.predict(m.symbol(), m.allParams(), x, Fmnist.TEST_COUNT, BATCH);
        QuantizedModel q = quantize(m, mode, QuantizedDtype.AUTO, QuantizeMode.SMART);
        Map<String, NDArray> params = q.toModel().allParams();
        int[] int8 = Fmnist.predict(q.symbol(), params, x, Fmnist.TEST_COUNT, BATCH);
        double accFp32 = Fmnist.accuracy(fp32, labels);
        double accInt8 = Fmnist.accuracy(int8, labels);
        double agree = Fmnist.agreement(int8, fp32);
        LOG.info("{} {}: FP32 {} INT8 {} (MXNet INT8 {}), agreement {}", name, mode.mxnetName(), accFp32, accInt8, mxnetInt8, agree);
        assertTrue(accInt8 >= mxnetInt8 - 0.001, name + " " + mode + ": INT8 accuracy " + accInt8 + " < MXNet's " + mxnetInt8 + " - 0.001");
        assertTrue(accInt8 >= accFp32 - 0.005, name + " " + mode + ": INT8 accuracy " + accInt8 + " < FP32 " + accFp32 + " - 0.005");
        assertTrue(agree >= 0.985, name + " " + mode + ": agreement with FP32 " + agree);
    }
}
