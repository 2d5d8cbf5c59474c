package org.quantize4j.data;

/**
 * Order of the color channels fed to the model. MXNet's {@code ImageRecordIter} feeds RGB (it decodes
 * with OpenCV as BGR and swaps); models converted from Caffe often expect BGR.
 *
 * <pre>{@code
 * DatasetOptions o = DatasetOptions.defaults().withChannelOrder(ChannelOrder.BGR);
 * }</pre>
 */
public enum ChannelOrder {
    RGB,
    BGR
}
