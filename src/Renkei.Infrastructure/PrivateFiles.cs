namespace Renkei.Infrastructure;

/// <summary>
/// Files and folders only their owner may open, on Unix: data and key directories mode 700, databases, keys, markers and
/// exports mode 600, whatever the process's umask. Created with that mode (never readable by others, even briefly), not
/// changed afterwards. On Windows the folder's inherited access control applies and these are ordinary calls.
/// Used by <see cref="Database.Sqlite"/>, <see cref="Signing.KeyFileWriter"/> and every command that writes an export.
/// </summary>
public static class PrivateFiles
{
    /// <summary>rwx------</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw-------</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the directory and every missing parent with mode 700; a directory that exists keeps its mode.</summary>
    public static DirectoryInfo CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) return Directory.CreateDirectory(path);
        // Directory.CreateDirectory(path, mode) gives the mode to the last directory only (like mkdir -p -m): create the
        // missing ones from the top down, each with the mode.
        var missing = new Stack<string>();
        for (var directory = Path.GetFullPath(path); !Directory.Exists(directory); directory = Path.GetDirectoryName(directory)!)
        {
            missing.Push(directory);
            if (Path.GetDirectoryName(directory) is null) break;
        }
        while (missing.TryPop(out var directory)) Directory.CreateDirectory(directory, DirectoryMode);
        return new DirectoryInfo(path);
    }

    /// <summary>
    /// Opens <paramref name="path"/> for writing, empty, with mode 600: a new file is created with it, a file that exists
    /// (a leftover temporary file) is truncated and set to it. Its directory is created (700) if missing.
    /// </summary>
    public static FileStream Create(string path)
    {
        CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
        return stream;
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to a file with mode 600, replacing its content.</summary>
    public static void WriteAllText(string path, string text)
    {
        using var stream = Create(path);
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
        writer.Write(text);
    }

    /// <summary>
    /// Creates an empty file with mode 600 unless one exists. An SQLite database is created this way before SQLite opens it:
    /// SQLite takes an empty file as a new database and gives its -wal, -shm and journal files the database file's mode.
    /// </summary>
    public static void EnsureFile(string path)
    {
        if (File.Exists(path)) return;
        CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // It exists already (or another process created it a moment ago): leave it as it is.
        }
    }
}
