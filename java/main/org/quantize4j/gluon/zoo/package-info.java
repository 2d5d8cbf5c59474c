/**
 * MXNet Gluon's vision model zoo (ResNet V1/V2, MobileNet V1/V2, Inception V3, VGG, SqueezeNet, DenseNet,
 * AlexNet) written with the network API; their symbols equal MXNet's exports node for node.
 *
 * <pre>{@code
 * Block net = ModelZoo.get("mobilenetv2_1.0", 1000);
 * }</pre>
 */
package org.quantize4j.gluon.zoo;
