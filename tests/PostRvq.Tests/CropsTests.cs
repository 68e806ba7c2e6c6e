using PostRvq.Audio;
using PostRvq.Data;

namespace PostRvq.Tests;

public class CropsTests
{
    static readonly AudioClip[] Ramps =
    [
        Ramp(1000, 1), Ramp(300, 10_000), Ramp(5000, 20_000),
    ];

    [Fact]
    public void BatchesHaveTheRequestedShape()
    {
        using var batch = new RandomCrops(Ramps, 256, 3, seed: 1).Next();
        Assert.Equal([3L, 1, 256], batch.Audio.shape);
        Assert.Equal([3L, 1, 256], batch.Mask.shape);
    }

    [Fact]
    public void CropsAreContiguousPiecesOfTheClips()
    {
        var crops = new RandomCrops(Ramps, 200, 8, seed: 2);
        for (var step = 0; step < 5; step++)
        {
            foreach (var row in Rows(crops.Next(), 200).Audio)
            {
                // Ramps count up by one, so a real crop is a run of consecutive values inside one clip.
                Assert.All(Enumerable.Range(1, row.Length - 1), i => Assert.Equal(row[i - 1] + 1, row[i]));
            }
        }
    }

    [Fact]
    public void SameSeedSameBatchesOtherSeedOtherBatches()
    {
        var first = Draw(new RandomCrops(Ramps, 128, 4, seed: 42), 3);
        var second = Draw(new RandomCrops(Ramps, 128, 4, seed: 42), 3);
        var other = Draw(new RandomCrops(Ramps, 128, 4, seed: 43), 3);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void RestoredStateContinuesTheSequence()
    {
        var original = new RandomCrops(Ramps, 128, 4, seed: 7);
        Draw(original, 2);
        var state = original.GetState();
        var expected = Draw(original, 3);
        var resumed = new RandomCrops(Ramps, 128, 4, seed: 999);
        resumed.SetState(state);
        Assert.Equal(expected, Draw(resumed, 3));
    }

    [Fact]
    public void StateMustBeFourNonZeroWords()
    {
        var crops = new RandomCrops(Ramps, 128, 4, seed: 7);
        Assert.Equal(4, crops.GetState().Length);
        Assert.Throws<ArgumentException>(() => crops.SetState([1, 2, 3]));
        Assert.Throws<ArgumentException>(() => crops.SetState([0, 0, 0, 0]));
    }

    [Fact]
    public void GeneratorMatchesSplitMix64AndXoshiro256StarStar()
    {
        // SplitMix64's first output for seed 0 is the published 0xE220A8397B1DCDAF; the rest come from an independent
        // Python transcription of Blackman & Vigna's reference code.
        var generator = new Xoshiro256StarStar(0);
        Assert.Equal([0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL, 0xF88BB8A8724C81ECUL], generator.GetState());
        Assert.Equal(
            [0x99EC5F36CB75F2B4UL, 0xBF6E1F784956452AUL, 0x1A5F849D4933E6E0UL],
            [generator.NextUInt64(), generator.NextUInt64(), generator.NextUInt64()]);
    }

    [Fact]
    public void NextBelowStaysInRangeAndCoversIt()
    {
        var generator = new Xoshiro256StarStar(9);
        var draws = Enumerable.Range(0, 600).Select(_ => generator.NextBelow(6)).ToList();
        Assert.All(draws, d => Assert.InRange(d, 0, 5));
        Assert.All(Enumerable.Range(0, 6), v => Assert.InRange(draws.Count(d => d == v), 60, 140));
    }

    [Fact]
    public void ShortClipsArePaddedAndMasked()
    {
        var clip = Ramp(100, 1);
        var (audio, mask) = Rows(new RandomCrops([clip], 250, 2, seed: 3).Next(), 250);
        for (var b = 0; b < 2; b++)
        {
            Assert.Equal(clip.Samples, audio[b][..100]);
            Assert.All(audio[b][100..], s => Assert.Equal(0f, s));
            Assert.Equal(Enumerable.Repeat(1f, 100).Concat(Enumerable.Repeat(0f, 150)), mask[b]);
        }
    }

    [Fact]
    public void SilentCropsAreMostlyRedrawn()
    {
        // Without redraws half of the crops would come from the silent clip.
        var silent = new AudioClip(new float[4000], 16000);
        var tone = TestAudio.Sine(440, 0.25, 16000);
        var rows = Rows(new RandomCrops([silent, tone], 400, 64, seed: 5).Next(), 400).Audio;
        var silentRows = rows.Count(row => row.All(s => s == 0));
        Assert.InRange(silentRows, 0, 8);
    }

    [Fact]
    public void EveryClipAndOffsetRangeIsReached()
    {
        var crops = new RandomCrops(Ramps, 100, 64, seed: 11);
        var starts = Draw(crops, 4).SelectMany(batch => batch.Chunk(100).Select(row => row[0])).ToList();
        Assert.Contains(starts, s => s >= 1 && s < 1000);
        Assert.Contains(starts, s => s >= 10_000 && s < 10_300);
        Assert.Contains(starts, s => s >= 20_000 && s < 25_000);
        // The last possible offset of the 300-sample clip starts at 10_200.
        Assert.All(starts.Where(s => s >= 10_000 && s < 20_000), s => Assert.InRange(s, 10_000, 10_200));
    }

    [Fact]
    public void FixedEvaluationCropsAreCentredAndPadded()
    {
        var crops = EvaluationCrops.Fixed([Ramp(10, 1), Ramp(3, 100)], 4).ToList();
        Assert.Equal([4f, 5f, 6f, 7f], crops[0].Samples);
        Assert.Equal([100f, 101f, 102f, 0f], crops[1].Samples);
        Assert.Equal(crops.Select(c => c.Samples), EvaluationCrops.Fixed([Ramp(10, 1), Ramp(3, 100)], 4).Select(c => c.Samples));
    }

    [Fact]
    public void WholeEvaluationClipsAreTheClips() => Assert.Equal(Ramps, EvaluationCrops.Whole(Ramps));

    [Fact]
    public void ConstructorRejectsUnusableInput()
    {
        Assert.Throws<ArgumentException>(() => new RandomCrops([], 10, 1, 0));
        Assert.Throws<ArgumentException>(() => new RandomCrops([new AudioClip([], 8000)], 10, 1, 0));
        Assert.Throws<ArgumentException>(() => new RandomCrops([Ramp(10, 1), Ramp(10, 1) with { SampleRate = 16000 }], 10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomCrops(Ramps, 0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomCrops(Ramps, 10, 0, 0));
    }

    static AudioClip Ramp(int length, int start) =>
        new(Enumerable.Range(start, length).Select(i => (float)i).ToArray(), 8000);

    static List<float[]> Draw(RandomCrops crops, int batches) =>
        Enumerable.Range(0, batches).Select(_ =>
        {
            using var batch = crops.Next();
            return batch.Audio.data<float>().ToArray();
        }).ToList();

    static (float[][] Audio, float[][] Mask) Rows(CropBatch batch, int cropLength)
    {
        using (batch)
        {
            return (batch.Audio.data<float>().ToArray().Chunk(cropLength).ToArray(), batch.Mask.data<float>().ToArray().Chunk(cropLength).ToArray());
        }
    }
}
