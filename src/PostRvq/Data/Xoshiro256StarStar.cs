namespace PostRvq.Data;

/// <summary>
/// The xoshiro256** generator (Blackman &amp; Vigna, "Scrambled Linear Pseudorandom Number Generators", 2021), seeded
/// through SplitMix64. Its whole state is four words, so a run can save it and continue the exact sequence.
/// Not for cryptography.
/// </summary>
sealed class Xoshiro256StarStar
{
    public const int StateLength = 4;
    readonly ulong[] state = new ulong[StateLength];

    public Xoshiro256StarStar(ulong seed)
    {
        // SplitMix64 spreads any seed (even 0) over the state, which must not be all zero.
        for (var i = 0; i < StateLength; i++)
        {
            seed += 0x9E3779B97F4A7C15UL;
            var z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            state[i] = z ^ (z >> 31);
        }
    }

    public ulong[] GetState() => (ulong[])state.Clone();

    public void SetState(ulong[] newState)
    {
        ArgumentNullException.ThrowIfNull(newState);
        if (newState.Length != StateLength || newState.All(word => word == 0))
        {
            throw new ArgumentException($"Expected {StateLength} words, not all zero.", nameof(newState));
        }
        newState.CopyTo(state, 0);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(state[1] * 5, 7) * 9;
        var t = state[1] << 17;
        state[2] ^= state[0];
        state[3] ^= state[1];
        state[1] ^= state[2];
        state[0] ^= state[3];
        state[2] ^= t;
        state[3] = ulong.RotateLeft(state[3], 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>), without modulo bias.</summary>
    public long NextBelow(long bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        var range = (ulong)bound;
        // Reject the lowest (2^64 mod range) values so that every residue is equally likely.
        var threshold = (0UL - range) % range;
        ulong draw;
        do
        {
            draw = NextUInt64();
        }
        while (draw < threshold);
        return (long)(draw % range);
    }
}
