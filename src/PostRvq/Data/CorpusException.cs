namespace PostRvq.Data;

/// <summary>A corpus that cannot be used: missing path, malformed manifest, missing file or no entries.</summary>
public sealed class CorpusException(string message, Exception? innerException = null) : Exception(message, innerException);
