import Foundation
import HeadroomCore

/// Draws from a decreasing density by Marsaglia and Tsang's ziggurat method
/// (2000): the area under the density is cut into 256 layers of equal area,
/// so that about 99 % of draws cost one random word, a multiply and a compare,
/// with no logarithm or exponential.
///
/// ```swift
/// var random = SeededRandom(seed: 1)
/// let z = Ziggurat.normal.next(&random)       // standard normal
/// let e = Ziggurat.exponential.next(&random)  // standard exponential
/// ```
struct Ziggurat: Sendable {
    /// The densities it draws from.
    enum Shape: Sendable {
        /// The standard normal (drawn as a half-normal given a random sign).
        case normal
        /// The standard exponential.
        case exponential

        /// The density, unnormalised: 1 at zero.
        func density(_ x: Double) -> Double {
            switch self {
            case .normal: exp(-0.5 * x * x)
            case .exponential: exp(-x)
            }
        }

        /// Where the density falls to `y`.
        func inverse(_ y: Double) -> Double {
            switch self {
            case .normal: (-2 * log(y)).squareRoot()
            case .exponential: -log(y)
            }
        }
    }

    /// The standard normal: 256 layers (Marsaglia and Tsang's constants).
    static let normal = Ziggurat(.normal, tailStart: 3.6541528853610088, layerArea: 0.00492867323399)
    /// The standard exponential: 256 layers (Marsaglia and Tsang's constants).
    static let exponential = Ziggurat(.exponential, tailStart: 7.69711747013104972, layerArea: 0.0039496598225815571993)

    private let shape: Shape
    /// Where the tail starts: the right edge of the base layer's rectangle.
    private let tailStart: Double
    /// Each layer's width: `edges[0]` is the base layer's area over its height
    /// (its rectangle and the tail beyond `tailStart` as one), then the edges fall to `edges[256] = 0`.
    private let edges: [Double]
    /// The density at each edge.
    private let heights: [Double]
    /// `edges[i + 1] / edges[i]`: a draw below this share of layer `i` lies under the layer above, inside the density.
    private let inner: [Double]

    private init(_ shape: Shape, tailStart: Double, layerArea: Double) {
        var edges = [Double](repeating: 0, count: 257)
        edges[0] = layerArea / shape.density(tailStart)
        edges[1] = tailStart
        for i in 1 ..< 255 {
            edges[i + 1] = shape.inverse(layerArea / edges[i] + shape.density(edges[i]))
        }
        self.shape = shape
        self.tailStart = tailStart
        self.edges = edges
        heights = edges.map(shape.density)
        inner = (0 ..< 256).map { edges[$0 + 1] / edges[$0] }
    }

    /// The next draw.
    @inline(__always)
    func next(_ random: inout SeededRandom) -> Double {
        while true {
            // Bits 0-7 pick the layer, bit 8 the sign, bits 11-63 the position: independent bits of one word.
            let bits = random.next()
            let layer = Int(truncatingIfNeeded: bits & 0xFF)
            let u = Double(bits >> 11) * 0x1.0p-53
            let x = u * edges[layer]
            if u < inner[layer] || layer > 0 && wedgeAccepts(x, layer, &random) {
                return signed(x, bits)
            }
            if layer == 0 { return signed(tail(&random), bits) }
        }
    }

    @inline(__always)
    private func signed(_ x: Double, _ bits: UInt64) -> Double {
        shape == .normal && bits & 0x100 != 0 ? -x : x
    }

    /// Whether `x`, in layer `layer` but outside the layer above, falls under the density.
    private func wedgeAccepts(_ x: Double, _ layer: Int, _ random: inout SeededRandom) -> Bool {
        let y = heights[layer] + random.nextUnit() * (heights[layer + 1] - heights[layer])
        return y < shape.density(x)
    }

    /// A draw beyond `tailStart`.
    private func tail(_ random: inout SeededRandom) -> Double {
        switch shape {
        case .exponential:
            // Memoryless: the tail is the start plus another exponential.
            return tailStart - log(1 - random.nextUnit())
        case .normal:
            // Marsaglia (1964): exponential proposals, accepted under the normal's tail.
            while true {
                let a = -log(1 - random.nextUnit()) / tailStart
                let b = -log(1 - random.nextUnit())
                if 2 * b > a * a { return tailStart + a }
            }
        }
    }
}
