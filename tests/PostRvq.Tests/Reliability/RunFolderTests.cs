using System.Diagnostics;
using System.Runtime.InteropServices;
using PostRvq.Audio;
using PostRvq.Training;

namespace PostRvq.Tests.Reliability;

/// <summary>Issue 14, runs and folders: locks, stale temp files, signals, and a folder reconstruct with a bad file.</summary>
[Collection(SerialCollection.Name)]
public class RunFolderTests
{
    [Fact]
    public void ASecondTrainIntoALockedRunFolderIsRefusedWithTheHoldersPid()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var run = folder.File("run");
        using (RunFolderLock.Acquire(run))
        {
            var (code, _, error) = CliRunner.Run("train", "--config", TinyCli.Config(folder), "--data", data, "--out", run);
            Assert.Equal(1, code);
            Assert.Contains($"{run} is in use by another run (pid {Environment.ProcessId} on", error);
            Assert.False(File.Exists(Path.Combine(run, Checkpoint.FileName)));
            Assert.False(File.Exists(Path.Combine(run, TrainingLog.FileName)));
        }
        var (after, _, afterError) = CliRunner.Run("train", "--config", TinyCli.Config(folder), "--data", data, "--out", run);
        Assert.True(after == 0, afterError);
    }

    [Fact]
    public void TheLockIsTheOperatingSystemsAndAKilledHolderReleasesIt()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        // util-linux flock(1) takes the same flock(2) lock .NET takes for FileShare.None on Linux; -o keeps it out of sleep.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-o", Path.Combine(folder.Path, RunFolderLock.FileName), "sleep", "60"]))!;
        var refused = WaitFor(() => Throws(() => RunFolderLock.Acquire(folder.Path).Dispose()) is IOException);
        Assert.True(refused, "the lock held by another process was not seen");

        holder.Kill(entireProcessTree: true);
        holder.WaitForExit();
        using var taken = RunFolderLock.Acquire(folder.Path);
        Assert.Contains($"pid {Environment.ProcessId}", File.ReadAllText(Path.Combine(folder.Path, RunFolderLock.OwnerFileName)));
    }

    [Fact]
    public void AStartingRunDeletesTheTempFilesOfKilledCheckpointWritesAndNothingElse()
    {
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var run = folder.File("run");
        Directory.CreateDirectory(run);
        var stale = Path.Combine(run, $".{Checkpoint.FileName}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, new byte[1024]);
        var usersOwn = Path.Combine(run, ".notes.tmp");
        File.WriteAllText(usersOwn, "mine");

        var (code, output, error) = CliRunner.Run("train", "--config", TinyCli.Config(folder), "--data", data, "--out", run);

        Assert.True(code == 0, error);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(usersOwn));
        Assert.Contains($"Removed 1 temp file(s) that interrupted writes left in {run}: {Path.GetFileName(stale)}", TinyCli.Flat(output));
        Assert.Equal([usersOwn], Directory.GetFiles(run, ".*.tmp"));
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    [Theory]
    [InlineData(2, 130)]
    [InlineData(15, 143)]
    public async Task ASignalSavesACheckpointAndExitsWithTheConventionalCode(int number, int expected)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var folder = new TempFolder();
        var data = TinyCli.Corpus(folder);
        var run = folder.File("run");
        var config = TinyCli.Config(folder, steps: 1_000_000);
        using var training = StartCli("train", "--config", config, "--data", data, "--out", run);
        try
        {
            var output = training.StandardOutput.ReadToEndAsync();
            var error = training.StandardError.ReadToEndAsync();
            var log = Path.Combine(run, TrainingLog.FileName);
            Assert.True(WaitFor(() => File.Exists(log) && File.ReadAllLines(log).Length >= 2 || training.HasExited), "training never started");
            if (training.HasExited) Assert.Fail($"training ended before the signal: {await error}");

            Assert.Equal(0, kill(training.Id, number));
            // A hang guard, not a timing: the run stops after its current step.
            await training.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            Assert.True(training.ExitCode == expected, $"exit code {training.ExitCode}: {await error}");
            Assert.Contains("with the checkpoint saved", TinyCli.Flat(await output));
            Assert.True(Checkpoint.ReadInfo(Path.Combine(run, Checkpoint.FileName)).Step >= 2);
        }
        finally
        {
            // A failed assertion must not leave a million-step run behind.
            if (!training.HasExited) training.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// The CLI in a process of its own, with SIGINT and SIGTERM at their default disposition: a test host started as a
    /// background job of a non-interactive shell inherits SIGINT ignored, and .NET rightly leaves an ignored SIGINT ignored.
    /// </summary>
    static Process StartCli(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--default-signal=INT,TERM", dotnet, Path.Combine(AppContext.BaseDirectory, "PostRvq.Cli.dll"), .. args])
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    [Fact]
    public void AFolderReconstructProcessesEveryFileAndReportsEachFailure()
    {
        using var folder = new TempFolder();
        var input = folder.File("in");
        Directory.CreateDirectory(input);
        var clips = SyntheticAudio.Clips(2, 0.6, TinyExperiment.SampleRate);
        WavWriter.Write(Path.Combine(input, "a.wav"), clips[0]);
        File.WriteAllBytes(Path.Combine(input, "b.wav"), "RIFF, but not really"u8.ToArray());
        WavWriter.Write(Path.Combine(input, "c.wav"), clips[1]);
        var output = folder.File("out");

        var (code, table, error) = CliRunner.Run("reconstruct", "--model", RepositoryFiles.Path("data", "models", "tiny-cpu.model"), "--in", input, "--out", output);

        Assert.Equal(1, code);
        Assert.True(File.Exists(Path.Combine(output, "a.wav")));
        Assert.True(File.Exists(Path.Combine(output, "c.wav")), "the file after the bad one must still be processed");
        Assert.False(File.Exists(Path.Combine(output, "b.wav")));
        Assert.Contains("1 of 3 file(s) failed", TinyCli.Flat(table));
        Assert.Contains("b.wav", table);
        Assert.Contains("error: 1 of 3 file(s) failed: b.wav", error);
    }

    static Exception? Throws(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    static bool WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (condition()) return true;
            Thread.Sleep(50);
        }
        return false;
    }
}
