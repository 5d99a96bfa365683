using System.Diagnostics;

namespace Renkei.TestSupport;

/// <summary>
/// A small tmpfs mounted for one drill (a disk that can be filled): <c>mount -t tmpfs</c> as root, else through
/// <c>sudo -n</c> (./test runs as root or with sudo). Unmounted when disposed.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount Create(int kilobytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "renkei-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", path);
        return new TmpfsMount(path);
    }

    /// <summary>Writes zeros into <paramref name="name"/> until the file system is full.</summary>
    public void Fill(string name)
    {
        // Unbuffered, in 4 KiB blocks and then byte by byte, so not a byte is left.
        using var stream = new FileStream(System.IO.Path.Combine(Path, name), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var size in new[] { 4096, 1 })
        {
            var block = new byte[size];
            try
            {
                while (true) stream.Write(block);
            }
            catch (IOException)
            {
                // Full at this block size.
            }
        }
    }

    public void Free(string name) => File.Delete(System.IO.Path.Combine(Path, name));

    private static void Run(string command, params string[] arguments)
    {
        var asRoot = Environment.UserName == "root";
        var info = new ProcessStartInfo(asRoot ? command : "sudo") { RedirectStandardError = true, UseShellExecute = false };
        if (!asRoot) { info.ArgumentList.Add("-n"); info.ArgumentList.Add(command); }
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} failed (the drill needs root or sudo to mount a tmpfs): {errors}");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Run("umount", Path); } catch (InvalidOperationException) { }
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
