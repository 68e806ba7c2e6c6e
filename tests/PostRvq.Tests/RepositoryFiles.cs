namespace PostRvq.Tests;

/// <summary>Finds files committed in the repository, for tests of the shipped samples and models.</summary>
static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "PostRvq.Notebooks.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No PostRvq.Notebooks.sln above {AppContext.BaseDirectory}");
    }
}
