namespace PostRvq.Audio;

/// <summary>
/// A signal read forward through a window: consecutive blocks are pulled as the window's end needs them and samples
/// before its start are dropped, so a filter sliding along a long signal holds only its own span of it.
/// </summary>
sealed class SlidingInput : IDisposable
{
    readonly IEnumerator<ReadOnlyMemory<float>> blocks;
    readonly long length;
    // A lone block holding the whole signal is read in place; otherwise blocks are copied into a buffer.
    ReadOnlyMemory<float> whole;
    float[] buffer = [];
    long bufferStart;
    int bufferCount;
    long received;

    /// <param name="blocks">The signal's samples in order, cut anywhere.</param>
    /// <param name="length">How many samples the blocks hold in all.</param>
    public SlidingInput(IEnumerable<ReadOnlyMemory<float>> blocks, long length)
    {
        this.blocks = blocks.GetEnumerator();
        this.length = length;
    }

    /// <summary>
    /// Samples [max(0, first), min(length, first + count)). Calls must not move <paramref name="first"/> backwards:
    /// what lies before an earlier call's start may be gone.
    /// </summary>
    public ReadOnlySpan<float> Window(long first, int count)
    {
        var from = Math.Clamp(first, 0, length);
        var to = Math.Clamp(first + count, from, length);
        if (received == 0 && to > 0) PullFirst();
        if (!whole.IsEmpty) return whole.Span[(int)from..(int)to];
        if (bufferStart + bufferCount < to)
        {
            // Compact only when a block must come in, so each sample is moved about once.
            Drop(from);
            while (bufferStart + bufferCount < to) Append(Next(to));
        }
        return buffer.AsSpan((int)(from - bufferStart), (int)(to - from));
    }

    /// <summary>Throws unless the blocks held exactly the promised length.</summary>
    public void RequireExhausted()
    {
        while (received < length) Next(length);
        if (blocks.MoveNext() && blocks.Current.Length > 0)
            throw new ArgumentException($"The blocks hold more than the {length} samples promised.");
    }

    public void Dispose() => blocks.Dispose();

    /// <summary>Takes the first block in place if it is the whole signal, else into the buffer.</summary>
    void PullFirst()
    {
        var first = Next(length);
        if (first.Length == length) whole = first;
        else Append(first);
    }

    ReadOnlyMemory<float> Next(long needed)
    {
        while (blocks.MoveNext())
        {
            var block = blocks.Current;
            if (block.IsEmpty) continue;
            received += block.Length;
            if (received > length) throw new ArgumentException($"The blocks hold more than the {length} samples promised.");
            return block;
        }
        throw new ArgumentException($"The blocks end after {received} samples, before sample {needed} of the {length} promised.");
    }

    void Drop(long from)
    {
        var drop = (int)Math.Min(from - bufferStart, bufferCount);
        if (drop <= 0) return;
        buffer.AsSpan(drop, bufferCount - drop).CopyTo(buffer);
        bufferStart += drop;
        bufferCount -= drop;
    }

    void Append(ReadOnlyMemory<float> block)
    {
        if (bufferCount + block.Length > buffer.Length) Array.Resize(ref buffer, Math.Max(2 * buffer.Length, bufferCount + block.Length));
        block.Span.CopyTo(buffer.AsSpan(bufferCount));
        bufferCount += block.Length;
    }
}
