/**
 * A Gluon-style (MXNet 1.x) network API: {@link org.quantize4j.gluon.Block}s with parameters, named exactly as
 * Gluon names them, hybridized into MXNet {@link org.quantize4j.graph.Symbol}s, run on the oneDNN runtime and
 * exported as MXNet checkpoints; {@link org.quantize4j.gluon.SymbolBlock} wraps any loaded model.
 *
 * <pre>{@code
 * HybridSequential net = new HybridSequential();
 * try (NameScope s = net.nameScope()) {
 *     net.add(Conv2D.builder(16, 3).padding(1).build(), new BatchNorm(), new Activation("relu"),
 *             new GlobalAvgPool2D(), new Dense(10));
 * }
 * net.initialize(new Xavier(), 42);
 * NDArray logits = net.forward(images);          // (N, 10)
 * net.export("mynet", 0);                        // mynet-symbol.json, mynet-0000.params (MXNet loads them)
 *
 * Block resnet = ModelZoo.get("resnet50_v1", 1000);
 * SymbolBlock imported = SymbolBlock.imports(Path.of("m-symbol.json"), List.of("data"), Path.of("m-0000.params"));
 * }</pre>
 */
package org.quantize4j.gluon;
