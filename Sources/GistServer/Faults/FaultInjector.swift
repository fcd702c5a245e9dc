/// The faults in force; each matching request takes one use of the first fault it matches.
actor FaultInjector {
    private var faults: [Fault] = []

    /// Adds a fault after those already in force.
    func add(_ fault: Fault) {
        faults.append(fault)
    }

    /// Removes every fault.
    func clear() {
        faults.removeAll()
    }

    /// The faults in force, with their remaining counts.
    func list() -> [Fault] {
        faults
    }

    /// The fault that hits this request, if any, counting one use of it.
    func take(for target: FaultTarget) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.matches(target) }) else {
            return nil
        }
        let fault = faults[index]
        if let count = fault.count {
            if count <= 1 { faults.remove(at: index) } else { faults[index].count = count - 1 }
        }
        return fault
    }
}
