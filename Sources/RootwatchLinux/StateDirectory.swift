import Glibc

/// The state directory on disk.
package enum StateDirectory {
    /// Creates `path` and missing parents with mode 0700; an existing directory is left as it is
    /// (under systemd, `StateDirectory=` has made it already).
    package static func ensure(_ path: String) throws(SystemCallError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw SystemCallError.current("mkdir", path: current)
            }
        }
    }
}
