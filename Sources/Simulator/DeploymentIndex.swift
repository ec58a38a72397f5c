import HeadroomCore

/// Finds a deployment's position from the name a client dispatched to, once
/// for every dispatch of a run.
///
/// A client names deployments with the strings it was given, so a name nearly
/// always has the very bits of one of them. A small open-addressed table keyed
/// by those bits finds it in one probe, with neither a string comparison (a
/// call) nor a scan whose exit the processor cannot predict. An equal string
/// with other bits (built anew) is found by hashing the string.
struct DeploymentIndex {
    private let byName: [DeploymentID: Int]
    /// For each slot, the bits of a name and its position plus one (0: an empty slot).
    private let slots: [(bits: SIMD2<UInt64>, position: Int)]
    private let mask: Int

    init(_ names: [DeploymentID]) {
        byName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var size = 16
        while size < 4 * names.count { size *= 2 }
        mask = size - 1
        var slots = Array(repeating: (bits: SIMD2<UInt64>(), position: 0), count: size)
        for (position, name) in names.enumerated() {
            let bits = Self.bits(of: name)
            let slot = Self.probe(bits, in: slots, mask: mask)
            if slots[slot].position == 0 { slots[slot] = (bits, position + 1) }
        }
        self.slots = slots
    }

    /// The position of the deployment named `name`, or `nil` if none is.
    func position(of name: DeploymentID) -> Int? {
        let slot = Self.probe(Self.bits(of: name), in: slots, mask: mask)
        return slots[slot].position != 0 ? slots[slot].position - 1 : byName[name]
    }

    /// The slot that holds `bits`, or else the empty slot where they would go.
    @inline(__always)
    private static func probe(_ bits: SIMD2<UInt64>, in slots: [(bits: SIMD2<UInt64>, position: Int)], mask: Int) -> Int {
        let mixed = (bits.x &* 0x9E37_79B9_7F4A_7C15) ^ (bits.y &* 0xC2B2_AE3D_27D4_EB4F)
        var slot = Int(truncatingIfNeeded: mixed >> 40) & mask
        while slots[slot].position != 0 && slots[slot].bits != bits { slot = (slot + 1) & mask }
        return slot
    }

    /// The bytes of a name's representation: equal bits are equal strings (not conversely).
    private static func bits(of name: DeploymentID) -> SIMD2<UInt64> {
        withUnsafeBytes(of: name) { $0.loadUnaligned(as: SIMD2<UInt64>.self) }
    }
}
