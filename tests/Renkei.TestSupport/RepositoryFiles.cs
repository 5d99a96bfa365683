namespace Renkei.TestSupport;

/// <summary>Files of the repository the tests check against (docs, policy, project files).</summary>
public static class RepositoryFiles
{
    /// <summary>The repository's root: the first directory above the test's binaries that holds Renkei.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository's root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Renkei.slnx"))) return directory.FullName;
        throw new InvalidOperationException("the repository root (Renkei.slnx) was not found");
    }
}
