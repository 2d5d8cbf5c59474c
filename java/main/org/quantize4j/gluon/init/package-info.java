/**
 * Parameter initializers with MXNet's names and arguments ({@code __init__} attributes):
 * {@link org.quantize4j.gluon.init.Xavier}, {@link org.quantize4j.gluon.init.Normal},
 * {@link org.quantize4j.gluon.init.Uniform}, {@link org.quantize4j.gluon.init.Zero},
 * {@link org.quantize4j.gluon.init.One}, {@link org.quantize4j.gluon.init.Constant}.
 *
 * <pre>{@code
 * net.initialize(new Xavier("gaussian", "out", 2), 7);
 * Initializer zeros = Initializer.create("zeros");
 * }</pre>
 */
package org.quantize4j.gluon.init;
