namespace PostRvq.Viz

open System
open System.Runtime.InteropServices
open PostRvq.Audio
open PostRvq.Spectral
open TorchSharp

/// A log-magnitude spectrogram ready to draw: Db[f][t] in dB (20·log10 of the magnitude, floored at 1e-5),
/// frame centres in seconds and bin (or mel band centre) frequencies in Hz.
type SpectrogramData =
    { TimesSeconds: float[]
      FrequenciesHz: float[]
      Db: float[][] }

/// Computes spectrograms of a clip with PostRvq.Spectral (torch.stft defaults: periodic Hann, centred frames).
type Spectrograms private () =
    static let floor = 1e-5

    static let toDb (magnitudes: torch.Tensor) (bins: int) (frames: int) =
        // Rounded to 0.1 dB: finer steps are invisible and would only bloat the chart JSON.
        let values = magnitudes.clamp_min(floor).log10().mul((20.0).ToScalar()).cpu().data<float32>().ToArray()
        Array.init bins (fun f -> Array.init frames (fun t -> Math.Round(float values[f * frames + t], 1)))

    static let frameTimes (frames: int) (hop: int) (sampleRate: int) =
        Array.init frames (fun t -> float (t * hop) / float sampleRate)

    static let validate (clip: AudioClip) nFft hop =
        ArgumentNullException.ThrowIfNull clip
        if clip.Length = 0 then invalidArg (nameof clip) "The clip is empty."
        if nFft < 2 then invalidArg (nameof nFft) "nFft must be at least 2."
        if hop < 1 then invalidArg (nameof hop) "hop must be positive."

    /// Log-magnitude STFT with nFft/2 + 1 bins from 0 Hz to the Nyquist frequency.
    static member LogStft(clip: AudioClip,
                          [<Optional; DefaultParameterValue(1024)>] nFft: int,
                          [<Optional; DefaultParameterValue(256)>] hop: int) : SpectrogramData =
        validate clip nFft hop
        use scope = torch.NewDisposeScope()
        use audio = AudioTensors.ToBatch clip
        let magnitude = Stft.Magnitude(audio, nFft, hop).squeeze(0)
        let bins = int magnitude.shape[0]
        let frames = int magnitude.shape[1]
        { TimesSeconds = frameTimes frames hop clip.SampleRate
          FrequenciesHz = Array.init bins (fun k -> float k * float clip.SampleRate / float nFft)
          Db = toDb magnitude bins frames }

    /// Log-mel spectrogram with the HTK filters of docs/metrics.md; bands are placed at their centre frequencies.
    static member LogMel(clip: AudioClip,
                         [<Optional; DefaultParameterValue(80)>] mels: int,
                         [<Optional; DefaultParameterValue(1024)>] nFft: int,
                         [<Optional; DefaultParameterValue(256)>] hop: int) : SpectrogramData =
        validate clip nFft hop
        if mels < 1 then invalidArg (nameof mels) "mels must be positive."
        use scope = torch.NewDisposeScope()
        use audio = AudioTensors.ToBatch clip
        let magnitude = Stft.Magnitude(audio, nFft, hop).squeeze(0)
        let filters = MelFilterbank.Create(clip.SampleRate, nFft, mels)
        let mel = filters.matmul magnitude
        let frames = int mel.shape[1]
        let topMel = MelFilterbank.HzToMel(float clip.SampleRate / 2.0)
        { TimesSeconds = frameTimes frames hop clip.SampleRate
          FrequenciesHz = Array.init mels (fun i -> MelFilterbank.MelToHz(topMel * float (i + 1) / float (mels + 1)))
          Db = toDb mel mels frames }
