namespace PostRvq;

/// <summary>
/// Reports on the caller's thread, so events arrive in order; <see cref="System.Progress{T}"/> would post them to
/// the thread pool instead.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
