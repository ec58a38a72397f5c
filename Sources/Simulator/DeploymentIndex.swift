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
            var slot = Self.slot(of: bits, mask: mask)
            while slots[slot].position != 0 && slots[slot].bits != bits { slot = (slot + 1) & mask }
            if slots[slot].position == 0 { slots[slot] = (bits, position + 1) }
        }
        self.slots = slots
    }

    /// The position of the deployment named `name`, or `nil` if none is.
    func position(of name: DeploymentID) -> Int? {
        let bits = Self.bits(of: name)
        var slot = Self.slot(of: bits, mask: mask)
        while slots[slot].position != 0 {
            if slots[slot].bits == bits { return slots[slot].position - 1 }
            slot = (slot + 1) & mask
        }
        return byName[name]
    }

    private static func slot(of bits: SIMD2<UInt64>, mask: Int) -> Int {
        let mixed = (bits.x &* 0x9E37_79B9_7F4A_7C15) ^ (bits.y &* 0xC2B2_AE3D_27D4_EB4F)
        return Int(truncatingIfNeeded: mixed >> 40) & mask
    }

    /// The bytes of a name's representation: equal bits are equal strings (not conversely).
    private static func bits(of name: DeploymentID) -> SIMD2<UInt64> {
        withUnsafeBytes(of: name) { $0.loadUnaligned(as: SIMD2<UInt64>.self) }
    }
}
