/**
 * Gluon's {@code nn} layers: {@link org.quantize4j.gluon.nn.Conv2D}, {@link org.quantize4j.gluon.nn.Dense},
 * {@link org.quantize4j.gluon.nn.BatchNorm}, activations, pooling, {@link org.quantize4j.gluon.nn.Flatten},
 * {@link org.quantize4j.gluon.nn.Dropout} and the containers {@link org.quantize4j.gluon.nn.HybridSequential}
 * and {@link org.quantize4j.gluon.nn.HybridConcurrent}; each writes the operator attributes Gluon writes.
 *
 * <pre>{@code
 * HybridSequential body = new HybridSequential("");
 * body.add(Conv2D.builder(64, 3).padding(1).useBias(false).build(), new BatchNorm(), new Activation("relu"));
 * }</pre>
 */
package org.quantize4j.gluon.nn;
