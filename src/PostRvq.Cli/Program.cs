Console.WriteLine("postrvq");
