/// The file reads configuration loading needs, so validation stays a pure function of the files' contents:
/// the real implementation (`LocalConfigurationFiles` in RootwatchLinux) uses the OS, tests use a dictionary.
package protocol ConfigurationFileSystem: Sendable {
    /// The whole content of a regular file.
    func contents(ofFile path: String) throws(FileAccessError) -> [UInt8]
    /// The names in a directory (without `.` and `..`); nil when the directory does not exist.
    func entries(ofDirectory path: String) throws(FileAccessError) -> [String]?
    /// The permission bits (`st_mode & 0o7777`) of a file.
    func permissions(ofFile path: String) throws(FileAccessError) -> UInt32
}

/// Why a file could not be read, e.g. `No such file or directory` (strerror text). Never contains file
/// content.
package struct FileAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    package var reason: String

    package init(_ reason: String) {
        self.reason = reason
    }

    package var description: String { reason }
}
