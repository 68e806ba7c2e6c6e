namespace PostRvq;
